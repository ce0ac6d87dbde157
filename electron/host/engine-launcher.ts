import type { EngineToHost, HostToEngine } from '../../shared/engine-protocol.js';

/** One running engine process, whatever started it (child_process.fork or Electron's utilityProcess). */
export interface EngineHandle {
  /** OS process id, once known. */
  readonly pid: number | undefined;
  /** Sends a message to the engine. */
  send(message: HostToEngine): void;
  /** Registers the message listener (one per handle). */
  onMessage(listener: (message: EngineToHost) => void): void;
  /** Registers the exit listener: exit code, or the signal that killed it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Called once the process is up, where its pid is not known at launch (utility processes). */
  onSpawn?(listener: () => void): void;
  /** Lines the engine wrote to stderr (crash traces), for error reports. */
  onStderr(listener: (text: string) => void): void;
  /** Ends the process now (after a cooperative cancel timed out). */
  kill(): void;
}

/** Starts engine processes; the host knows nothing else about how. */
export interface EngineLauncher {
  /** Starts a fresh engine process. */
  launch(): EngineHandle;
}
