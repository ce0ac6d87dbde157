import type { EventChannel, EventMap, RequestChannel, RequestOf, ResponseOf } from '../../shared/contract.js';
import type { Result } from '../../shared/result.js';

/** A listener of host events. */
export type HostEventListener = <E extends EventChannel>(channel: E, payload: EventMap[E]) => void;

/**
 * What every binding of the contract (Electron ipcMain, the WebSocket server, tests' fake
 * transports) talks to. `dispatch` validates the payload with the channel's zod schema and never
 * throws: every failure comes back as `{ ok: false, error }`.
 */
export interface HostApi {
  /** Handles one request; unknown channels and invalid payloads are failed Results. */
  dispatch(channel: string, payload: unknown): Promise<Result<unknown>>;
  /** Typed convenience over {@link dispatch} for in-process callers. */
  request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  /** Subscribes to pushed events (already throttled and batched); returns the unsubscribe function. */
  subscribe(listener: HostEventListener): () => void;
}
