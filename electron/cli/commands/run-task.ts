import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineToHost } from '../../../shared/engine-protocol.js';
import { LabFailure, toLabError } from '../../../shared/result.js';
import type { RunStatus } from '../../../shared/run-types.js';
import { grantThreads } from '../../../shared/threads.js';
import { readJsonIfExists, writeJsonAtomic } from '../../common/atomic-file.js';
import {
  CANCEL_MARKER,
  INTERRUPTED_EXIT,
  requeuedSinceStart,
  taskFromEnv,
  taskRecord,
  type TaskEnv,
} from '../../host/executors/index.js';
import { ChildProcessLauncher } from '../../host/launch/child-launcher.js';
import { runEngineJob } from '../../host/launch/engine-job.js';
import { labPaths } from '../../host/paths.js';
import { RunStore } from '../../host/runs/run-store.js';
import { readSettings } from '../../host/settings.js';
import { refreshStudyReport } from '../../host/studies/study-report.js';
import { defineCommand, UsageError, type CliContext } from '../command.js';
import { formatDuration, pct } from '../format.js';

/** How often a running task rewrites progress.json (the lab on the login node reads it). */
const PROGRESS_EVERY_MS = 2_000;

/** Why the task stopped early. */
type StopReason = 'warning' | 'term';

/** The data folder a run folder belongs to: `<data>/runs/<id>` → `<data>`, else the CLI's. */
function dataDirOf(runDir: string, fallback: string): string {
  return path.basename(path.dirname(runDir)) === 'runs' ? path.dirname(path.dirname(runDir)) : fallback;
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** The status an early stop ends in: cancelled (the lab asked), or interrupted with Slurm's reason. */
async function stoppedStatus(
  reason: StopReason,
  cancelled: boolean,
  task: TaskEnv | undefined,
): Promise<Partial<RunStatus>> {
  const endedAt = new Date().toISOString();
  if (cancelled)
    return {
      state: 'cancelled',
      endedAt,
      error: { code: 'cancelled', message: 'cancelled from the lab (scancel)' },
    };
  if (reason === 'warning')
    return {
      state: 'interrupted',
      endedAt,
      error: {
        code: 'slurm-warning',
        message:
          'checkpointed mid-epoch on Slurm’s warning (time limit or preemption); the task requeues and resumes',
      },
    };
  if (task && (await requeuedSinceStart(task)))
    return {
      state: 'interrupted',
      endedAt,
      error: {
        code: 'slurm-requeued',
        message: 'checkpointed mid-epoch: Slurm requeued the task; it resumes when it runs again',
      },
    };
  return {
    state: 'interrupted',
    endedAt,
    // The lab reading this run asks Slurm whether it was a scancel, a time limit or a preemption.
    error: {
      code: task ? 'slurm-term' : 'interrupted',
      message: 'checkpointed mid-epoch after SIGTERM; resume it to continue',
    },
  };
}

/**
 * `lgg-lab run-task <run-folder>`: trains one run folder in place, fresh or resumed from its
 * checkpoint. The run folder is the only state, so a Slurm array task (or a person) can run it on
 * any machine that sees the data folder. USR1 (Slurm's time-limit warning) and TERM checkpoint
 * mid-epoch: exit 75 (interrupted) then, 0 on completion, 1 on failure, 130 when cancelled.
 */
export async function runTask(runArg: string, ctx: CliContext): Promise<number> {
  const runDir = path.resolve(runArg);
  const dataDir = dataDirOf(runDir, ctx.dataDir);
  const store = new RunStore(dataDir, { judgeOrphans: false });
  const id = path.basename(runDir);
  if (store.dir(id) !== runDir)
    throw new LabFailure('invalid-request', `${runDir} is not a run folder of the data folder ${dataDir}`);
  const status = await store.status(id);
  const spec = await store.spec(id);
  const task = taskFromEnv();
  const label = `${id}${task ? ` (Slurm task ${task.jobId}_${task.arrayIndex} on ${task.node ?? os.hostname()})` : ''}`;
  if (status.state === 'completed') {
    ctx.out(`${label}: already completed; nothing to do`);
    return 0;
  }
  const marker = path.join(runDir, CANCEL_MARKER);
  if (await exists(marker)) {
    await store.updateStatus(id, { state: 'cancelled', endedAt: new Date().toISOString(), pid: undefined });
    ctx.out(`${label}: cancelled from the lab before it started`);
    return 130;
  }
  const latest = await readJsonIfExists<{ epoch?: number; step?: number }>(
    path.join(runDir, 'checkpoints', 'latest.json'),
  ).catch(() => undefined);
  const settings = await readSettings(labPaths(dataDir).settings);
  // A task's cores are what Slurm allocated (--cpus-per-task), not the node's: its thread budget.
  const cpus = Number(process.env.SLURM_CPUS_PER_TASK) || undefined;
  // The queue's policy on the task's cores: a spec asking for N threads gets N, `auto` all of them.
  const threads = cpus ? grantThreads(spec.threads, cpus, 0) : undefined;
  await store.updateStatus(id, {
    state: 'running',
    startedAt: new Date().toISOString(),
    pid: process.pid,
    error: undefined,
    endedAt: undefined,
    ...(threads ? { threads } : {}),
    ...(task ? { executor: taskRecord(status.executor, task) } : {}),
  });
  const from = latest
    ? `resuming from its checkpoint (epoch ${latest.epoch ?? 0}, step ${latest.step ?? 0})`
    : 'starting';
  ctx.out(`${label}: ${from} · ${spec.name ?? spec.method}`);

  let reason: StopReason = 'term';
  const abort = new AbortController();
  // When the signal came: how long the checkpoint took is printed (KillWait must exceed it).
  let signalledAt = 0;
  const onUsr1 = (): void => {
    reason = 'warning';
    signalledAt ||= Date.now();
    abort.abort();
  };
  // USR1 reaches the lab from the batch script (Slurm's warning goes to the batch shell only).
  process.on('SIGUSR1', onUsr1);
  const onTerm = (): void => {
    signalledAt ||= Date.now();
    abort.abort();
  };
  if (ctx.signal.aborted) onTerm();
  else ctx.signal.addEventListener('abort', onTerm, { once: true });
  const t0 = Date.now();
  let lastProgress = 0;
  const progressFile = path.join(runDir, 'progress.json');
  const onMessage = (m: EngineToHost): void => {
    if (m.type === 'ready') void store.updateStatus(id, { backend: m.info.backend }).catch(() => undefined);
    else if (m.type === 'checkpoint') void store.updateStatus(id, { epoch: m.epoch }).catch(() => undefined);
    else if (m.type === 'progress' && Date.now() - lastProgress > PROGRESS_EVERY_MS) {
      lastProgress = Date.now();
      void writeJsonAtomic(progressFile, m.progress).catch(() => undefined);
    } else if (m.type === 'metrics' && m.record.type === 'epoch') {
      const r = m.record;
      ctx.out(
        `epoch ${r.epoch}: train loss ${r.train.loss.toFixed(4)} acc ${pct(r.train.acc)} · test acc ${pct(r.test.acc)} · ${formatDuration(r.seconds)}`,
      );
    } else if (m.type === 'log') ctx.err(m.message);
  };
  let code: number;
  try {
    const outcome = await runEngineJob(
      new ChildProcessLauncher(),
      { type: 'train', runDir, dataDir, resume: true, ...(threads ? { threads } : {}) },
      {
        backend: spec.backend !== 'auto' ? spec.backend : settings.backend,
        signal: abort.signal,
        onMessage,
      },
    );
    if (outcome.outcome === 'result') {
      await store.updateStatus(id, { state: 'completed', pid: undefined, endedAt: new Date().toISOString() });
      ctx.out(`${label}: completed in ${formatDuration((Date.now() - t0) / 1000)}`);
      code = 0;
    } else {
      const patch = await stoppedStatus(reason, await exists(marker), task);
      const s = await store.updateStatus(id, { ...patch, pid: undefined });
      const took = signalledAt
        ? `, ${((Date.now() - signalledAt) / 1000).toFixed(1)} s after the signal`
        : '';
      ctx.out(`${label}: ${s.state} at epoch ${s.epoch}${took} (${s.error?.message ?? ''})`);
      code = s.state === 'cancelled' ? 130 : INTERRUPTED_EXIT;
    }
  } catch (e) {
    const error = toLabError(e);
    await store
      .updateStatus(id, { state: 'failed', pid: undefined, endedAt: new Date().toISOString(), error })
      .catch(() => undefined);
    ctx.err(`${label}: failed: ${error.message}`);
    code = 1;
  } finally {
    process.off('SIGUSR1', onUsr1);
    ctx.signal.removeEventListener('abort', onTerm);
    await fs.rm(progressFile, { force: true });
  }
  // The study's report merges this run as it lands (the lab following the study does too).
  if (spec.study) await refreshStudyReport(store, dataDir, spec.study).catch(() => undefined);
  return code;
}

/** `lgg-lab run-task`. */
export const runTaskCommand = defineCommand({
  name: 'run-task',
  summary: 'train one run folder in place, fresh or from its checkpoint (what a Slurm array task runs)',
  usage: [
    'lgg-lab run-task <run-folder>',
    '  Trains the run in <run-folder> (its data folder: the one holding its runs/ folder), resuming',
    '  from its checkpoint when it has one, and records its status there. USR1 or TERM checkpoint',
    '  mid-epoch and exit 75 (interrupted); 0 completed, 1 failed, 130 cancelled.',
  ].join('\n'),
  options: {},
  maxPositionals: 1,
  run(args, ctx) {
    const dir = args.positionals[0];
    if (!dir) throw new UsageError('which run folder?');
    return runTask(dir, ctx);
  },
});
