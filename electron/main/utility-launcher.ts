import { utilityProcess, type UtilityProcess } from 'electron';
import type { EngineToHost, HostToEngine } from '../../shared/engine-protocol.js';
import type { EngineHandle, EngineLauncher } from '../host/engine-launcher.js';

/** One engine in an Electron utility process (Chromium's process model: crash-isolated, no window). */
class UtilityEngine implements EngineHandle {
  private readonly child: UtilityProcess;
  private spawned = false;
  private exited = false;
  // Messages sent before the process is up wait here, so the first job is never lost.
  private readonly outbox: HostToEngine[] = [];

  constructor(modulePath: string) {
    this.child = utilityProcess.fork(modulePath, [], { serviceName: 'LGG Lab engine', stdio: 'pipe' });
    this.child.once('spawn', () => {
      this.spawned = true;
      for (const m of this.outbox.splice(0)) this.child.postMessage(m);
    });
    this.child.once('exit', () => {
      this.exited = true;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: HostToEngine): void {
    if (this.exited) return;
    if (this.spawned) this.child.postMessage(message);
    else this.outbox.push(message);
  }

  onMessage(listener: (message: EngineToHost) => void): void {
    this.child.on('message', (m: unknown) => listener(m as EngineToHost));
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    // utilityProcess reports only a code; a kill shows up as a non-zero one.
    this.child.once('exit', (code: number) => listener(code, null));
  }

  onSpawn(listener: () => void): void {
    if (this.spawned) listener();
    else this.child.once('spawn', listener);
  }

  onStderr(listener: (text: string) => void): void {
    this.child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString('utf8')));
  }

  kill(): void {
    if (this.exited) return;
    // utilityProcess.kill() sends SIGTERM, which the engine takes as one more cooperative cancel;
    // this is the end of the grace period, so an engine stuck in a computation must end anyway.
    const pid = this.child.pid;
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
        return;
      } catch {
        // Already gone: let Electron reap it.
      }
    }
    this.child.kill();
  }
}

/** The Electron launcher: `utilityProcess.fork` of the built engine entry. */
export class UtilityProcessLauncher implements EngineLauncher {
  constructor(private readonly modulePath: string) {}

  launch(): EngineHandle {
    return new UtilityEngine(this.modulePath);
  }
}
