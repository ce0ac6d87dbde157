import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WEB_ROUTES, type WsServerFrame } from '../../shared/contract.js';
import { PRESETS } from '../../shared/presets.js';
import type { Result } from '../../shared/result.js';
import { serveLab, type ServedLab } from '../../electron/server/serve-lab.js';

/**
 * Defect 1 of issue 12: a web-mode token holder could make the server read any of its files
 * (an import preview of /etc/… with a chosen label column returned its lines as class names). Through
 * the real server and host: every request that takes a server path stays inside the data folder and
 * the --allow-path folders, after resolving `..` and links.
 */
let root: string;
let dataDir: string;
let allowed: string;
let outside: string;
let lab: ServedLab;

const SECRET_CSV = 'password,x\nhunter2,1\nswordfish,2\n';
const OK_CSV = `f1,f2,label\n${Array.from({ length: 10 }, (_, i) => `${i},${i / 2},${i % 2}`).join('\n')}\n`;

beforeAll(async () => {
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-paths-')));
  dataDir = path.join(root, 'data');
  allowed = path.join(root, 'allowed');
  outside = path.join(root, 'outside');
  const rendererDir = path.join(root, 'renderer');
  for (const d of [dataDir, allowed, outside, rendererDir]) await fs.mkdir(d, { recursive: true });
  await fs.writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>LGG Lab</title>');
  await fs.writeFile(path.join(outside, 'secret.csv'), SECRET_CSV);
  await fs.writeFile(path.join(allowed, 'ok.csv'), OK_CSV);
  await fs.mkdir(path.join(outside, 'ckpt'));
  await fs.writeFile(path.join(outside, 'layer.npy'), 'not read');
  await fs.symlink(outside, path.join(dataDir, 'link'));
  await fs.symlink(outside, path.join(allowed, 'link'));
  lab = await serveLab({ dataDir, rendererDir, port: 0, allowPaths: [allowed] });
});

afterAll(async () => {
  await lab.close();
  await fs.rm(root, { recursive: true, force: true });
});

async function connect(): Promise<{
  ws: WebSocket;
  call: (c: string, p: unknown) => Promise<Result<unknown>>;
}> {
  const url = new URL(lab.url);
  const ws = new WebSocket(
    `ws://${url.host}${WEB_ROUTES.socket}?token=${url.searchParams.get('token') ?? ''}`,
    {
      headers: { Origin: `http://${url.host}` },
    },
  );
  const pending = new Map<number, (r: Result<unknown>) => void>();
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as WsServerFrame;
    if (frame.type === 'response') pending.get(frame.id)?.(frame.result);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  return {
    ws,
    call: (channel, payload) =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        ws.send(JSON.stringify({ type: 'request', id, channel, payload }));
      }),
  };
}

const refused = (r: Result<unknown>): string => {
  expect(r.ok).toBe(false);
  if (r.ok) return '';
  expect(r.error.code).toBe('forbidden-path');
  expect(r.error.message).toMatch(/is outside the folders this server may read/);
  expect(r.error.message).not.toMatch(/hunter2|swordfish/);
  return r.error.message;
};

describe('web mode reads server paths only under the allowed folders (defect 1)', () => {
  it('refuses an import preview or import of a file outside them, directly, by "..", or through a link', async () => {
    const { ws, call } = await connect();
    const options = { csvLabelColumn: 'password' };
    for (const p of [
      path.join(outside, 'secret.csv'),
      path.join(dataDir, '..', 'outside', 'secret.csv'),
      path.join(dataDir, 'link', 'secret.csv'),
      path.join(allowed, 'link', 'secret.csv'),
      '/etc/passwd',
    ]) {
      const message = refused(await call('lab:datasets.preview', { path: p, options }));
      expect(message).toContain(p);
      refused(await call('lab:datasets.import', { path: p, options }));
    }
    expect(await fs.readdir(path.join(dataDir, 'datasets'))).toEqual([]);
    ws.close();
  });

  it('serves what is inside them', async () => {
    const { ws, call } = await connect();
    const ok = await call('lab:datasets.preview', { path: path.join(allowed, 'ok.csv') });
    expect(ok).toMatchObject({ ok: true, value: { format: 'csv', classNames: ['0', '1'] } });
    const missing = await call('lab:datasets.preview', { path: path.join(dataDir, 'nothing.csv') });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    ws.close();
  });

  it('refuses analyses and teacher checkpoints outside them, before any run folder exists', async () => {
    const { ws, call } = await connect();
    const layer = path.join(outside, 'layer.npy');
    const lgg = {};
    refused(await call('lab:lgg.analyze', { layers: [layer], labels: path.join(allowed, 'ok.csv'), lgg }));
    refused(await call('lab:lgg.analyze', { layers: [path.join(allowed, 'ok.csv')], labels: layer, lgg }));
    const gkd = PRESETS.find((p) => p.id === 'mnist-gkd-quick')!.spec;
    for (const checkpoint of [
      path.join(outside, 'ckpt'),
      path.join(dataDir, 'link', 'ckpt'),
      '../outside/ckpt',
    ]) {
      const message = refused(await call('lab:runs.start', { spec: { ...gkd, teacher: { checkpoint } } }));
      expect(message).toMatch(/^teacher\.checkpoint: /);
    }
    expect(await fs.readdir(path.join(dataDir, 'runs'))).toEqual([]);
    ws.close();
  });
});
