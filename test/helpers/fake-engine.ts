import type { BackendInfo } from '../../shared/backend-types.js';
import type { EngineJob, EngineToHost, HostToEngine } from '../../shared/engine-protocol.js';
import type { EngineHandle, EngineLauncher } from '../../electron/host/engine-launcher.js';

const FAKE_BACKEND: BackendInfo = {
  backend: 'wasm',
  tfjsVersion: '0.0.0',
  nodeVersion: process.version,
  threads: 1,
  fallbacks: [],
  customKernels: [],
  platform: 'test',
  cpus: 1,
};

/**
 * A scripted engine: it reports `ready` (wasm) when it gets its job, then waits to be told how to
 * end (`finish`), or answers a cancel by checkpointing and exiting, as the real engine does.
 */
export class FakeEngine implements EngineHandle {
  /** The job it was given. */
  job: EngineJob | undefined;
  /** The backend it was asked to start. */
  backend: string | undefined;
  private messageListener: ((m: EngineToHost) => void) | undefined;
  private exitListener: ((code: number | null, signal: string | null) => void) | undefined;
  private exited = false;

  constructor(
    private currentPid: number | undefined,
    private readonly pidAtSpawn: number | undefined,
  ) {}

  get pid(): number | undefined {
    return this.currentPid;
  }

  send(m: HostToEngine): void {
    if (this.exited) return;
    if (m.type === 'cancel') {
      setImmediate(() => {
        this.emit({ type: 'cancelled', epoch: 0 });
        this.exit(0);
      });
      return;
    }
    this.job = m.job;
    this.backend = m.backend;
    setImmediate(() => {
      // Like a utility process: the pid becomes known once the process has spawned.
      this.currentPid ??= this.pidAtSpawn;
      this.emit({ type: 'ready', info: FAKE_BACKEND });
    });
  }

  onMessage(listener: (m: EngineToHost) => void): void {
    this.messageListener = listener;
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.exitListener = listener;
  }

  onStderr(): void {
    // The fake writes nothing to stderr.
  }

  kill(): void {
    this.exit(null, 'SIGKILL');
  }

  /** Sends a message as the engine would while working (progress, metrics, …). */
  report(m: EngineToHost): void {
    this.emit(m);
  }

  /** Ends the job with a result. */
  finish(value: unknown = null): void {
    this.emit({ type: 'result', value });
    this.exit(0);
  }

  private emit(m: EngineToHost): void {
    if (!this.exited) this.messageListener?.(m);
  }

  private exit(code: number | null, signal: string | null = null): void {
    if (this.exited) return;
    this.exited = true;
    this.exitListener?.(code, signal);
  }
}

/** Launches {@link FakeEngine}s and keeps them for the test to drive. */
export class FakeLauncher implements EngineLauncher {
  readonly engines: FakeEngine[] = [];

  /** `pid` known at launch (child_process), or only once spawned (`pidAtSpawn`, utility process). */
  constructor(private readonly o: { pid?: number; pidAtSpawn?: number } = { pid: 4242 }) {}

  launch(): EngineHandle {
    const e = new FakeEngine(this.o.pid, this.o.pidAtSpawn);
    this.engines.push(e);
    return e;
  }
}
