import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SlurmTaskState } from '../../../../shared/executor.js';
import type { RunStatus } from '../../../../shared/run-types.js';

/** The part of a task's log (`slurm-<job>_<index>.out` in the run folder) that says why it ended. */
export async function taskLogTail(runDir: string, task: string, lines = 6): Promise<string | undefined> {
  const file = path.join(runDir, `slurm-${task}.out`);
  let text: string;
  try {
    const h = await fs.open(file, 'r');
    try {
      const { size } = await h.stat();
      const len = Math.min(size, 8192);
      const buf = Buffer.alloc(len);
      await h.read(buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      await h.close();
    }
  } catch {
    return undefined;
  }
  const tail = text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0)
    .slice(-lines);
  return tail.length > 0 ? tail.join('\n') : undefined;
}

/** How long after submission a task may be missing from squeue before the lab believes it is gone. */
export const GONE_AFTER_MS = 60_000;

/**
 * What status.json must become once Slurm says a task has ended while the run still reads queued
 * or running: the task died without recording its outcome (killed after KillWait, out of memory,
 * a node failure, a lab command the node cannot start, a pending task cancelled), or the run
 * recorded `interrupted` for a TERM that Slurm now reports as a plain cancel or a time limit.
 * Returns undefined when status.json is right as it is. `log` is the tail of the task's own log;
 * `cancelRequested` is true when the lab asked for the cancel (its marker is in the run folder).
 * A task Slurm no longer knows at all (`source: 'none'`: cancelled while pending, or forgotten by
 * a cluster without accounting) counts once the submission is `GONE_AFTER_MS` old.
 */
export function reconcileStatus(
  status: RunStatus,
  slurm: SlurmTaskState,
  log: string | undefined,
  cancelRequested = false,
): Partial<RunStatus> | undefined {
  const where = slurm.node ? ` on ${slurm.node}` : '';
  const task = `Slurm task ${slurm.task}`;
  const tail = log ? `; its log ends:\n${log}` : '';
  const ended = { endedAt: slurm.checkedAt, pid: undefined };
  if (status.state === 'queued' || status.state === 'running') {
    const gone =
      slurm.source === 'none' &&
      Date.parse(slurm.checkedAt) - Date.parse(status.executor?.submittedAt ?? status.updatedAt) >
        GONE_AFTER_MS;
    if (cancelRequested && (gone || slurm.phase === 'cancelled'))
      return {
        ...ended,
        state: 'cancelled',
        error: { code: 'cancelled', message: `${task} was cancelled from the lab` },
      };
    if (gone)
      return {
        ...ended,
        state: 'interrupted',
        error: {
          code: 'slurm-gone',
          message: `Slurm no longer knows ${task} (cancelled while pending, or forgotten without accounting); resume it to resubmit`,
        },
      };
    switch (slurm.phase) {
      case 'cancelled':
        return {
          ...ended,
          state: 'cancelled',
          error: { code: 'cancelled', message: `${task} was cancelled (scancel)` },
        };
      case 'timeout':
        return {
          ...ended,
          state: 'interrupted',
          error: {
            code: 'slurm-timeout',
            message: `${task} reached its time limit${where}; resume it to continue${tail}`,
          },
        };
      case 'preempted':
        return {
          ...ended,
          state: 'interrupted',
          error: { code: 'slurm-preempted', message: `${task} was preempted${where}; resume it to continue` },
        };
      case 'node-fail':
        return {
          ...ended,
          state: 'interrupted',
          error: {
            code: 'slurm-node-fail',
            message: `the node of ${task} failed${where}; resume it to continue`,
          },
        };
      case 'out-of-memory':
        return {
          ...ended,
          state: 'failed',
          error: { code: 'slurm-oom', message: `${task} ran out of memory${where} (raise --mem)${tail}` },
        };
      case 'failed':
        return {
          ...ended,
          state: 'failed',
          error: {
            code: 'slurm-failed',
            message: `${task} failed${where} (exit ${slurm.exitCode ?? 'code unknown'})${tail}`,
          },
        };
      case 'completed':
        return {
          ...ended,
          state: 'failed',
          error: {
            code: 'slurm-no-outcome',
            message: `${task} ended${where} without recording an outcome${tail}`,
          },
        };
      default:
        return undefined;
    }
  }
  // The task wrote `interrupted` for a TERM; Slurm knows which kind it was.
  if (status.state === 'interrupted' && status.error?.code === 'slurm-term') {
    if (slurm.phase === 'cancelled')
      return { state: 'cancelled', error: { code: 'cancelled', message: `${task} was cancelled (scancel)` } };
    if (slurm.phase === 'timeout')
      return {
        error: {
          code: 'slurm-timeout',
          message: `${task} reached its time limit${where}; resume it to continue`,
        },
      };
    if (slurm.phase === 'preempted')
      return {
        error: { code: 'slurm-preempted', message: `${task} was preempted${where}; resume it to continue` },
      };
  }
  return undefined;
}
