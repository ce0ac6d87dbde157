import {
  requestSchemas,
  type EventChannel,
  type EventMap,
  type RequestChannel,
} from '../../shared/contract.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { HostApi, HostEventListener } from '../../electron/host/host-api.js';
import { CANNED } from './canned.js';

/** A HostApi that validates like the real host and answers canned values. */
export class FakeHost implements HostApi {
  /** Every accepted request, parsed. */
  readonly calls: { channel: RequestChannel; payload: unknown }[] = [];
  private readonly listeners = new Set<HostEventListener>();

  dispatch(channel: string, payload: unknown): Promise<Result<unknown>> {
    if (!Object.hasOwn(requestSchemas, channel)) {
      return Promise.resolve(err('unknown-channel', `No such channel: ${channel}`));
    }
    const c = channel as RequestChannel;
    const parsed = requestSchemas[c].safeParse(payload);
    if (!parsed.success) return Promise.resolve(err('invalid-request', parsed.error.message));
    this.calls.push({ channel: c, payload: parsed.data });
    return Promise.resolve(ok(CANNED[c]));
  }

  request: HostApi['request'] = (channel, payload) => this.dispatch(channel, payload) as never;

  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pushes an event to subscribers. */
  emit<E extends EventChannel>(channel: E, payload: EventMap[E]): void {
    for (const l of this.listeners) l(channel, payload);
  }

  /** Number of live subscriptions. */
  get subscribers(): number {
    return this.listeners.size;
  }
}
