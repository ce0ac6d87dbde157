import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REQUEST_CHANNELS, WEB_ROUTES, type UploadReply, type WsServerFrame } from '../../shared/contract.js';
import type { Result } from '../../shared/result.js';
import { startWebServer, type WebServer } from '../../electron/server/web-server.js';
import { CANNED, INVALID_PAYLOADS, VALID_PAYLOADS } from './canned.js';
import { FakeHost } from './fake-host.js';

let dir: string;
let server: WebServer;
let host: FakeHost;
let origin: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lgg-web-'));
  const rendererDir = path.join(dir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>LGG Lab</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'export {};');
  await writeFile(path.join(dir, 'secret.txt'), 'outside');
  host = new FakeHost();
  server = await startWebServer({
    host,
    dataDir: path.join(dir, 'data'),
    rendererDir,
    port: 0,
    maxUploadBytes: 1024,
    maxBatchBytes: 1500,
  });
  origin = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A connected client that collects frames. */
async function connect(opts: { token?: string; origin?: string } = {}): Promise<{
  ws: WebSocket;
  call: (channel: string, payload: unknown) => Promise<Result<unknown>>;
  events: WsServerFrame[];
}> {
  const url = `ws://127.0.0.1:${server.port}${WEB_ROUTES.socket}?token=${opts.token ?? server.token}`;
  const ws = new WebSocket(url, { headers: { Origin: opts.origin ?? origin } });
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const events: WsServerFrame[] = [];
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as WsServerFrame;
    if (frame.type === 'event') events.push(frame);
    else pending.get(frame.id)?.(frame.result);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  let next = 1;
  const call = (channel: string, payload: unknown) =>
    new Promise<Result<unknown>>((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ type: 'request', id, channel, payload }));
    });
  return { ws, call, events };
}

describe('web server: contract over WebSocket', () => {
  it('answers every request channel, valid and invalid', async () => {
    const { ws, call } = await connect();
    for (const channel of REQUEST_CHANNELS) {
      expect(await call(channel, VALID_PAYLOADS[channel])).toEqual({ ok: true, value: CANNED[channel] });
      const bad = await call(channel, INVALID_PAYLOADS[channel]);
      expect(bad.ok, channel).toBe(false);
    }
    expect(await call('lab:nope.nothing', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    expect(await call('lab:shell.openPath', { path: '/x' })).toEqual({ ok: true, value: { opened: false } });
    expect(await call('lab:shell.openPath', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    ws.close();
  });

  it('replies to malformed frames and pushes host events', async () => {
    const { ws, events } = await connect();
    const reply = new Promise<WsServerFrame>((resolve) =>
      ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()) as WsServerFrame)),
    );
    ws.send(JSON.stringify({ type: 'request', id: 9, channel: 3 }));
    expect(await reply).toMatchObject({
      type: 'response',
      id: 9,
      result: { ok: false, error: { code: 'invalid-request' } },
    });
    host.emit('lab:runs.onProgress', []);
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]).toEqual({ type: 'event', channel: 'lab:runs.onProgress', payload: [] });
    ws.close();
    await expect.poll(() => host.subscribers).toBe(0);
  });

  it('refuses a wrong token and a wrong Origin', async () => {
    await expect(connect({ token: 'wrong' })).rejects.toThrow('403');
    await expect(connect({ origin: 'https://evil.example' })).rejects.toThrow('403');
    await expect(connect({ origin: 'http://localhost:1' })).rejects.toThrow('403');
  });
});

describe('web server: HTTP', () => {
  const get = (p: string, headers: Record<string, string> = {}) => fetch(`${origin}${p}`, { headers });

  it('serves the page only with the token, with a CSP and no referrer', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=nope')).status).toBe(403);
    const ok = await get(`/?token=${server.token}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(ok.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await get('/assets/app.js')).status).toBe(200);
    expect((await get('/assets/../../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
  });

  it('refuses foreign Host headers (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `/?token=${server.token}`,
          headers: { Host: 'evil.example' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      ).end();
    });
    expect(status).toBe(421);
  });

  const upload = (query: string, body: string, headers: Record<string, string> = { Origin: origin }) =>
    fetch(`${origin}${WEB_ROUTES.upload}?${query}`, { method: 'POST', body, headers });

  it('stores uploads under tmp/uploads/<batch>, keeping relative paths', async () => {
    const r = await upload(`token=${server.token}&batch=b1&path=mnist/train-images`, 'abc');
    expect(r.status).toBe(200);
    const reply = ((await r.json()) as { ok: true; value: UploadReply }).value;
    expect(reply.dir).toBe(path.join(dir, 'data', 'tmp', 'uploads', 'b1'));
    expect(await readFile(path.join(reply.dir, 'mnist', 'train-images'), 'utf8')).toBe('abc');
  });

  it('refuses an upload onto a name a folder of the drop already has: 409 naming it, no server path, no .part left (defect 7)', async () => {
    expect((await upload(`token=${server.token}&batch=b5&path=set/a/x.png`, 'abc')).status).toBe(200);
    for (const p of ['set/a', 'set/a/x.png/y']) {
      const r = await upload(`token=${server.token}&batch=b5&path=${p}`, 'def');
      expect(r.status).toBe(409);
      const body = (await r.json()) as { ok: false; error: { code: string; message: string } };
      expect(body.error.code).toBe('upload-conflict');
      expect(body.error.message).toContain(`"${p}"`);
      expect(body.error.message).not.toContain(dir);
    }
    const left = await readdir(path.join(dir, 'data', 'tmp', 'uploads', 'b5', 'set'), { recursive: true });
    expect(left.sort()).toEqual(['a', 'a/x.png']);
  });

  it('refuses uploads without token, from other origins, escaping paths or too large', async () => {
    expect((await upload(`batch=b2&path=a`, 'x')).status).toBe(403);
    expect(
      (await upload(`token=${server.token}&batch=b2&path=a`, 'x', { Origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await upload(`token=${server.token}&batch=b2&path=../a`, 'x')).status).toBe(400);
    expect((await upload(`token=${server.token}&batch=..&path=a`, 'x')).status).toBe(400);
    expect((await upload(`token=${server.token}&batch=b2&path=big`, 'x'.repeat(2000))).status).toBe(413);
    expect((await upload(`token=${server.token}&batch=b3&path=a`, 'x'.repeat(1000))).status).toBe(200);
    expect((await upload(`token=${server.token}&batch=b3&path=b`, 'x'.repeat(1000))).status).toBe(413);
  });

  it('counts the bytes of uploads still streaming against the batch cap', async () => {
    const { request } = await import('node:http');
    // The first file of the batch is half sent when the second one arrives.
    const first = request({
      host: '127.0.0.1',
      port: server.port,
      method: 'POST',
      path: `${WEB_ROUTES.upload}?token=${server.token}&batch=b4&path=a`,
      headers: { Origin: origin, 'Content-Length': 1000 },
    });
    const firstStatus = new Promise<number>((resolve, reject) => {
      first.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      first.on('error', reject);
    });
    first.write('x'.repeat(600));
    await expect
      .poll(async () => {
        const names = await readdir(path.join(dir, 'data', 'tmp', 'uploads', 'b4')).catch(() => []);
        const part = names.find((n) => n.startsWith('a.part-'));
        return part ? (await stat(path.join(dir, 'data', 'tmp', 'uploads', 'b4', part))).size : 0;
      })
      .toBe(600);
    expect((await upload(`token=${server.token}&batch=b4&path=b`, 'x'.repeat(1000))).status).toBe(413);
    first.end('x'.repeat(400));
    expect(await firstStatus).toBe(200);
    // The refused file's bytes were given back: 1000 + 400 fit in 1500.
    expect((await upload(`token=${server.token}&batch=b4&path=c`, 'x'.repeat(400))).status).toBe(200);
    expect((await upload(`token=${server.token}&batch=b4&path=d`, 'x'.repeat(200))).status).toBe(413);
  });

  it('downloads files of the data folder only', async () => {
    const inside = path.join(dir, 'data', 'tmp', 'uploads', 'b1', 'mnist', 'train-images');
    const q = (p: string, t = server.token) => `${WEB_ROUTES.file}?token=${t}&path=${encodeURIComponent(p)}`;
    const r = await get(q(inside));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain('attachment');
    expect(await r.text()).toBe('abc');
    expect((await get(q(inside, 'bad'))).status).toBe(403);
    expect((await get(q(path.join(dir, 'secret.txt')))).status).toBe(404);
  });
});

describe('web server bound to every interface (--host 0.0.0.0)', () => {
  /** Status of GET `p` sent with a given Host header. */
  const statusWithHost = async (port: number, p: string, hostHeader: string): Promise<number> => {
    const { request } = await import('node:http');
    return new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: p, headers: { Host: hostHeader } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
  };

  it('answers to the machine’s addresses and name, still not to foreign names', async () => {
    const wide = await startWebServer({
      host,
      dataDir: path.join(dir, 'data'),
      rendererDir: path.join(dir, 'renderer'),
      port: 0,
      bind: '0.0.0.0',
    });
    try {
      const page = `/?token=${wide.token}`;
      const external = Object.values(os.networkInterfaces())
        .flat()
        .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
      for (const name of ['127.0.0.1', 'localhost', os.hostname(), ...(external ? [external] : [])]) {
        expect(await statusWithHost(wide.port, page, `${name}:${wide.port}`), name).toBe(200);
      }
      expect(await statusWithHost(wide.port, page, `evil.example:${wide.port}`)).toBe(421);
      expect(await statusWithHost(wide.port, page, `127.0.0.1:${wide.port + 1}`)).toBe(421);
    } finally {
      await wide.close();
    }
  });
});
