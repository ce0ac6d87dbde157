import type { BackendInfo } from '../../../shared/backend-types.js';
import type { EngineJob, EngineToHost } from '../../../shared/engine-protocol.js';
import { LabFailure } from '../../../shared/result.js';
import type { BackendChoice } from '../../../shared/spec/training.js';
import type { EngineLauncher } from '../engine-launcher.js';

/** How a job ended. */
export interface JobOutcome {
  /** `result`: finished; `cancelled`: stopped cooperatively. */
  outcome: 'result' | 'cancelled';
  /** The job's value when finished. */
  value: unknown;
  /** Backend report of the engine. */
  info: BackendInfo | undefined;
}

/** Options of {@link runEngineJob}. */
export interface JobOptions {
  /** Backend choice. */
  backend: BackendChoice;
  /** Aborting sends a cooperative cancel, then kills after `killAfterMs`. */
  signal?: AbortSignal;
  /** Grace period of a cancel before the process is killed (default 60 s). */
  killAfterMs?: number;
  /** Every message of the engine, as it arrives. */
  onMessage?: (message: EngineToHost) => void;
  /** The process id, once known (a utility process has none until it has spawned). */
  onStart?: (pid: number | undefined) => void;
}

const STDERR_TAIL = 4000;

/**
 * Runs one job in a fresh engine process. Resolves when it finishes or is cancelled; rejects with
 * the engine's error, or with `engine-crashed` (exit code, signal and the end of stderr) when the
 * process dies without answering — a crash ends the job, never the host.
 */
export function runEngineJob(launcher: EngineLauncher, job: EngineJob, o: JobOptions): Promise<JobOutcome> {
  return new Promise((resolve, reject) => {
    const engine = launcher.launch();
    // status.json needs the pid: without it another host on the data folder (the CLI beside the
    // app) takes the run for one left by a dead host. Utility processes learn theirs at spawn.
    let pidReported = false;
    const reportPid = (): void => {
      if (pidReported || engine.pid === undefined) return;
      pidReported = true;
      o.onStart?.(engine.pid);
    };
    reportPid();
    engine.onSpawn?.(reportPid);
    let info: BackendInfo | undefined;
    let settled: { ok: true; value: JobOutcome } | { ok: false; error: Error } | undefined;
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      engine.send({ type: 'cancel' });
      killTimer = setTimeout(() => engine.kill(), o.killAfterMs ?? 60_000);
    };
    engine.onStderr((t) => (stderr = (stderr + t).slice(-STDERR_TAIL)));
    engine.onMessage((m) => {
      reportPid();
      o.onMessage?.(m);
      if (m.type === 'ready') info = m.info;
      else if (m.type === 'result')
        settled = { ok: true, value: { outcome: 'result', value: m.value, info } };
      else if (m.type === 'cancelled')
        settled = { ok: true, value: { outcome: 'cancelled', value: null, info } };
      else if (m.type === 'error')
        settled = { ok: false, error: new LabFailure(m.error.code, m.error.message, m.error.details) };
    });
    engine.onExit((code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      o.signal?.removeEventListener('abort', onAbort);
      if (settled?.ok) resolve(settled.value);
      else if (settled) reject(settled.error);
      else if (o.signal?.aborted) resolve({ outcome: 'cancelled', value: null, info });
      else {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        const tail = stderr.trim().split('\n').slice(-8).join('\n');
        reject(
          new LabFailure(
            'engine-crashed',
            `the engine process ended unexpectedly (${how})${tail ? `:\n${tail}` : ''}`,
          ),
        );
      }
    });
    if (o.signal?.aborted) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    engine.send({ type: 'job', job, backend: o.backend });
  });
}
