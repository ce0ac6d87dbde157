import { describe, expect, it } from 'vitest';
import { REQUEST_CHANNELS, SHELL_CHANNELS, type UiEventChannel } from '../../shared/contract.js';
import type { Result } from '../../shared/result.js';
import { bindIpc, type IpcSender, type IpcTransport } from '../../electron/main/ipc-binding.js';
import { CANNED, INVALID_PAYLOADS, VALID_PAYLOADS } from './canned.js';
import { FakeHost } from './fake-host.js';

type Handler = (sender: IpcSender, payload: unknown) => Promise<Result<unknown>>;

class FakeTransport implements IpcTransport {
  readonly handlers = new Map<string, Handler>();
  readonly sent: { channel: UiEventChannel; payload: unknown }[] = [];
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  broadcast(channel: UiEventChannel, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  call(channel: string, payload: unknown, sender: IpcSender = APP): Promise<Result<unknown>> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return h(sender, payload);
  }
}

const APP: IpcSender = { id: 1, frameUrl: 'file:///app/dist/renderer/index.html' };
const EVIL: IpcSender = { id: 1, frameUrl: 'https://evil.example/' };

function setup() {
  const host = new FakeHost();
  const transport = new FakeTransport();
  const opened: string[] = [];
  const binding = bindIpc({
    transport,
    host,
    shell: { openPath: (p) => (opened.push(p), Promise.resolve(true)) },
    isTrustedSender: (s) => s.id === APP.id && s.frameUrl === APP.frameUrl,
  });
  return { host, transport, opened, binding };
}

describe('IPC binding of the contract', () => {
  it('registers exactly the contract channels', () => {
    const { transport } = setup();
    expect([...transport.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS, ...SHELL_CHANNELS].sort());
  });

  it.each(REQUEST_CHANNELS)('%s: valid payload reaches the host and replies ok', async (channel) => {
    const { transport, host } = setup();
    const r = await transport.call(channel, VALID_PAYLOADS[channel]);
    expect(r).toEqual({ ok: true, value: CANNED[channel] });
    expect(host.calls.map((c) => c.channel)).toEqual([channel]);
  });

  it.each(REQUEST_CHANNELS)('%s: invalid payload is a failed Result, host untouched', async (channel) => {
    const { transport, host } = setup();
    const r = await transport.call(channel, INVALID_PAYLOADS[channel]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-request');
    expect(host.calls).toHaveLength(0);
  });

  it.each(REQUEST_CHANNELS)('%s: an untrusted sender is refused', async (channel) => {
    const { transport, host } = setup();
    const r = await transport.call(channel, VALID_PAYLOADS[channel], EVIL);
    expect(r).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(host.calls).toHaveLength(0);
  });

  it('answers shell requests itself, validating them', async () => {
    const { transport, opened } = setup();
    expect(await transport.call('lab:shell.openPath', { path: '/data' })).toEqual({
      ok: true,
      value: { opened: true },
    });
    expect(opened).toEqual(['/data']);
    const bad = await transport.call('lab:shell.openPath', { path: '' });
    expect(bad.ok).toBe(false);
    expect(await transport.call('lab:shell.openPath', { path: '/x' }, EVIL)).toMatchObject({ ok: false });
  });

  it('turns a throwing host into a failed Result', async () => {
    const { transport, host } = setup();
    host.dispatch = () => Promise.reject(new Error('boom'));
    expect(await transport.call('lab:runs.list', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'boom' },
    });
  });

  it('forwards host events and shell commands, and unbinds cleanly', () => {
    const { transport, host, binding } = setup();
    host.emit('lab:runs.onProbe', [{ id: 'run-1', epoch: 1 }]);
    binding.command({ type: 'navigate', view: 'system' });
    expect(transport.sent).toEqual([
      { channel: 'lab:runs.onProbe', payload: [{ id: 'run-1', epoch: 1 }] },
      { channel: 'lab:shell.onCommand', payload: { type: 'navigate', view: 'system' } },
    ]);
    binding.unbind();
    expect(transport.handlers.size).toBe(0);
    expect(host.subscribers).toBe(0);
  });
});
