import type { EngineToHost, HostToEngine } from '../../shared/engine-protocol.js';
import { toLabError } from '../../shared/result.js';
import { selectBackend } from '../../electron/engine/backend/select.js';
import { runEvaluation } from '../../electron/engine/eval/evaluate-run.js';
import { runTraining } from '../../electron/engine/train/trainer.js';
import type { EngineHandle, EngineLauncher } from '../../electron/host/engine-launcher.js';

/**
 * Runs engine jobs (train, evaluate, info) in the test process instead of a forked engine, with
 * the same message protocol: the host, queue and CLI code paths are the real ones, without a build.
 * Jobs must not overlap (the queue's default concurrency is 1).
 */
export class InProcessLauncher implements EngineLauncher {
  /** Jobs started, by type. */
  readonly jobs: string[] = [];

  launch(): EngineHandle {
    let listener: ((m: EngineToHost) => void) | undefined;
    let exit: ((code: number | null, signal: string | null) => void) | undefined;
    let cancelled = false;
    const emit = (m: EngineToHost): void => listener?.(m);
    return {
      pid: undefined,
      send: (m: HostToEngine) => {
        if (m.type === 'cancel') {
          cancelled = true;
          return;
        }
        this.jobs.push(m.job.type);
        void (async () => {
          let code = 0;
          try {
            emit({ type: 'ready', info: await selectBackend(m.backend === 'auto' ? 'wasm' : m.backend) });
            const io = { emit, cancelled: () => cancelled };
            const job = m.job;
            const value =
              job.type === 'train'
                ? await runTraining(job, io)
                : job.type === 'evaluate'
                  ? await runEvaluation(job, io)
                  : null;
            if (job.type !== 'train' && job.type !== 'evaluate' && job.type !== 'info')
              throw new Error(`${job.type}: not run in-process`);
            if (!cancelled) emit({ type: 'result', value: value ?? null });
          } catch (e) {
            code = 1;
            emit({ type: 'error', error: toLabError(e) });
          }
          setImmediate(() => exit?.(code, null));
        })();
      },
      onMessage: (l) => (listener = l),
      onExit: (l) => (exit = l),
      onStderr: () => undefined,
      kill: () => {
        cancelled = true;
      },
    };
  }
}
