import { describe, expect, it } from 'vitest';
import type { WsServerFrame } from '../../shared/contract';
import { LabRequestError } from '../../renderer/src/api/client';
import { createIpcClient } from '../../renderer/src/api/ipc-client';
import { importPathOf, uploadedImportPath } from '../../renderer/src/api/staging';
import { createWsClient } from '../../renderer/src/api/ws-client';

/** A WebSocket double: records sent frames, lets the test deliver frames and close. */
class FakeSocket {
  static last: FakeSocket | null = null;
  readonly sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(text: string): void {
    this.sent.push(text);
  }
  deliver(frame: WsServerFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

describe('WebSocket client', () => {
  it('queues until open, correlates replies, dispatches events, fails in-flight requests on close', async () => {
    const client = createWsClient(
      { host: '127.0.0.1:9', token: 't k' },
      FakeSocket as unknown as typeof WebSocket,
    );
    const ws = FakeSocket.last!;
    expect(ws.url).toBe('ws://127.0.0.1:9/ws?token=t%20k');
    const events: unknown[] = [];
    client.on('lab:runs.onProbe', (p) => events.push(p));
    const p1 = client.request('lab:runs.list', {});
    expect(ws.sent).toHaveLength(0);
    ws.onopen?.();
    const frame = JSON.parse(ws.sent[0]!) as { id: number; channel: string };
    expect(frame.channel).toBe('lab:runs.list');
    ws.deliver({ type: 'response', id: frame.id, result: { ok: true, value: [] } });
    expect(await p1).toEqual([]);

    const p2 = client.request('lab:runs.get', { id: 'x' });
    const id2 = (JSON.parse(ws.sent[1]!) as { id: number }).id;
    ws.deliver({
      type: 'response',
      id: id2,
      result: { ok: false, error: { code: 'not-found', message: 'no run x' } },
    });
    await expect(p2).rejects.toMatchObject({ code: 'not-found', message: 'no run x' });

    ws.deliver({ type: 'event', channel: 'lab:runs.onProbe', payload: [{ id: 'x', epoch: 1 }] });
    expect(events).toEqual([[{ id: 'x', epoch: 1 }]]);

    const p3 = client.request('lab:runs.list', {});
    ws.onclose?.();
    await expect(p3).rejects.toBeInstanceOf(LabRequestError);
    await expect(p3).rejects.toMatchObject({ code: 'disconnected' });
    expect(client.downloadUrl('/a b')).toBe('/files?token=t%20k&path=%2Fa%20b');
  });
});

describe('IPC client', () => {
  it('unwraps Results and resolves dropped paths through the bridge', async () => {
    const client = createIpcClient({
      invoke: ((channel: string) =>
        Promise.resolve(
          channel === 'lab:runs.list'
            ? { ok: true, value: [] }
            : { ok: false, error: { code: 'x', message: 'nope' } },
        )) as never,
      on: () => () => undefined,
      pathForFile: (f) => `/data/mnist/${(f as File).name}`,
    });
    expect(await client.request('lab:runs.list', {})).toEqual([]);
    await expect(client.request('lab:system.info', {})).rejects.toThrow('nope');
    const files = ['a', 'b'].map((n) => ({ file: new File([''], n), relativePath: n }));
    expect(await client.stageFiles(files)).toBe('/data/mnist');
  });
});

describe('import paths', () => {
  it('imports the shared folder of several dropped files', () => {
    expect(importPathOf(['/d/mnist/a', '/d/mnist/b'])).toBe('/d/mnist');
    expect(importPathOf(['/d/x/a', '/d/y/b'])).toBe('/d');
    expect(importPathOf(['C:\\data\\m\\a', 'C:\\data\\m\\b'])).toBe('C:\\data\\m');
    expect(importPathOf(['/only'])).toBe('/only');
  });

  it('imports the single file, the single folder, or the batch', () => {
    const f = (p: string) => ({ file: new File([''], p.split('/').pop()!), relativePath: p });
    expect(uploadedImportPath('/u/b', [f('x.npz')])).toBe('/u/b/x.npz');
    expect(uploadedImportPath('/u/b', [f('mnist/a'), f('mnist/b')])).toBe('/u/b/mnist');
    expect(uploadedImportPath('/u/b', [f('a'), f('b')])).toBe('/u/b');
  });
});
