import type { EngineToHost, HostToEngine } from '../../shared/engine-protocol.js';

/** The engine's end of the host channel, whoever started the process. */
export interface HostPort {
  send(message: EngineToHost): void;
  /** Resolves once every message sent so far has left the process. */
  flush(): Promise<void>;
  onMessage(listener: (message: HostToEngine) => void): void;
  /** Called when the host goes away (its process died): the engine must not outlive it. */
  onHostGone(listener: () => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

/** Electron's utilityProcess (process.parentPort) or Node's child_process.fork (process.send). */
export function connectToHost(): HostPort {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      // postMessage hands the message to Electron synchronously.
      flush: () => Promise.resolve(),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data as HostToEngine)),
      // A utility process is killed with its parent by Electron itself.
      onHostGone: () => undefined,
    };
  }
  if (!process.send) throw new Error('the engine must be started by the LGG Lab host (no IPC channel)');
  let pending = Promise.resolve();
  return {
    send: (m) => {
      pending = new Promise<void>((resolve) => process.send?.(m, undefined, undefined, () => resolve()));
    },
    // IPC messages are delivered in order, so the last one's callback means all have left.
    flush: () => pending,
    onMessage: (l) => process.on('message', (m) => l(m as HostToEngine)),
    onHostGone: (l) => process.on('disconnect', l),
  };
}
