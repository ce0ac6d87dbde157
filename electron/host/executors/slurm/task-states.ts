import { SLURM_DONE_PHASES, type SlurmPhase, type SlurmTaskState } from '../../../../shared/executor.js';
import { LabFailure } from '../../../../shared/result.js';
import { slurm } from './commands.js';

/** Slurm job states (squeue's %T, sacct's State) → the lab's phases. */
const PHASES: Record<string, SlurmPhase> = {
  PENDING: 'pending',
  CONFIGURING: 'pending',
  REQUEUED: 'pending',
  REQUEUE_FED: 'pending',
  REQUEUE_HOLD: 'pending',
  RESV_DEL_HOLD: 'pending',
  RUNNING: 'running',
  RESIZING: 'running',
  COMPLETING: 'completing',
  SIGNALING: 'completing',
  STAGE_OUT: 'completing',
  SUSPENDED: 'suspended',
  STOPPED: 'suspended',
  COMPLETED: 'completed',
  FAILED: 'failed',
  SPECIAL_EXIT: 'failed',
  CANCELLED: 'cancelled',
  REVOKED: 'cancelled',
  TIMEOUT: 'timeout',
  DEADLINE: 'timeout',
  PREEMPTED: 'preempted',
  NODE_FAIL: 'node-fail',
  BOOT_FAIL: 'node-fail',
  OUT_OF_MEMORY: 'out-of-memory',
};

/** The lab phase of a Slurm state word (`CANCELLED by 1000` → cancelled; unknown words → unknown). */
export function slurmPhase(state: string): SlurmPhase {
  return PHASES[state.trim().split(/\s+/)[0]?.toUpperCase() ?? ''] ?? 'unknown';
}

/** `squeue -O` fields, `|`-separated: task id, state, reason, nodes, raw wait status of the batch script. */
export const SQUEUE_FORMAT = 'JobArrayID:|,State:|,Reason:|,NodeList:|,exit_code:';
/** `sacct` fields, one allocation line per task (`-X`). */
export const SACCT_FORMAT = 'JobID,State,ExitCode,NodeList';

function blank(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t && t !== 'None' && t !== '(null)' && t !== 'None assigned' ? t : undefined;
}

/** A raw wait status (squeue's exit_code) as sacct writes exit codes: `exit:signal`. */
export function exitCodeOf(raw: string | undefined): string | undefined {
  const n = Number(raw?.trim());
  if (!raw?.trim() || !Number.isInteger(n) || n < 0) return undefined;
  return `${n >> 8}:${n & 0x7f}`;
}

/** Parses `squeue -r -h -O <SQUEUE_FORMAT>` into task id (`<job>_<index>`) → state. */
export function parseSqueue(text: string, checkedAt: string): Map<string, SlurmTaskState> {
  const out = new Map<string, SlurmTaskState>();
  for (const line of text.split('\n')) {
    const [task, state, reason, node, exit] = line.split('|');
    if (!task?.trim() || state === undefined) continue;
    const s: SlurmTaskState = {
      phase: slurmPhase(state),
      state: state.trim(),
      task: task.trim(),
      source: 'squeue',
      checkedAt,
    };
    const r = blank(reason);
    const n = blank(node);
    // Pending and running tasks have no exit status yet (squeue shows 0).
    const e = slurmPhaseDone(s.phase) ? exitCodeOf(exit) : undefined;
    if (r) s.reason = r;
    if (n) s.node = n;
    if (e) s.exitCode = e;
    out.set(s.task, s);
  }
  return out;
}

function slurmPhaseDone(p: SlurmPhase): boolean {
  return SLURM_DONE_PHASES.includes(p);
}

/** Parses `sacct -n -P -X --format=JobID,State,ExitCode,NodeList` the same way. */
export function parseSacct(text: string, checkedAt: string): Map<string, SlurmTaskState> {
  const out = new Map<string, SlurmTaskState>();
  for (const line of text.split('\n')) {
    const [task, state, exitCode, node] = line.split('|');
    // Pending arrays not yet split are listed as ranges (`7_[3-5]`): squeue answers for those.
    if (!task?.trim() || state === undefined || task.includes('[')) continue;
    const s: SlurmTaskState = {
      phase: slurmPhase(state),
      state: state.trim(),
      task: task.trim(),
      source: 'sacct',
      checkedAt,
    };
    const e = blank(exitCode);
    const n = blank(node);
    if (e) s.exitCode = e;
    if (n) s.node = n;
    // A requeued task has one line per attempt: the last one is the current attempt.
    out.set(s.task, s);
  }
  return out;
}

/**
 * Asks Slurm about array jobs: `squeue` for what slurmctld still holds (pending, running, and
 * finished tasks for MinJobAge), then `sacct` for the rest. Clusters without accounting answer
 * `sacct` with an error: the tasks it would have described are simply not in the map.
 */
export class SlurmTaskQuery {
  /** Set once sacct said accounting is disabled: not asked again for a while. */
  private noAccountingUntil = 0;

  /** States of array tasks named `<job>_<index>`; tasks Slurm no longer knows are absent. */
  async query(tasks: readonly string[]): Promise<Map<string, SlurmTaskState>> {
    const jobsOf = (ts: readonly string[]): string[] =>
      [...new Set(ts.map((t) => t.split('_')[0] ?? ''))].filter((j) => /^\d+$/.test(j));
    const ids = jobsOf(tasks);
    if (ids.length === 0) return new Map();
    const now = new Date().toISOString();
    let text = '';
    try {
      text = await slurm('squeue', [
        '-r',
        '-h',
        '--states=all',
        `--jobs=${ids.join(',')}`,
        '-O',
        SQUEUE_FORMAT,
      ]);
    } catch (e) {
      // squeue fails when none of the ids is known any more; the others then come from sacct.
      if (!(e instanceof LabFailure && e.code === 'slurm-failed' && /Invalid job id/i.test(e.message)))
        throw e;
    }
    const found = parseSqueue(text, now);
    const rest = jobsOf(tasks.filter((t) => !found.has(t)));
    if (rest.length > 0 && Date.now() >= this.noAccountingUntil) {
      try {
        const acct = await slurm('sacct', [
          '-n',
          '-P',
          '-X',
          `--jobs=${rest.join(',')}`,
          `--format=${SACCT_FORMAT}`,
        ]);
        for (const [k, v] of parseSacct(acct, now)) if (!found.has(k)) found.set(k, v);
      } catch (e) {
        if (e instanceof LabFailure && /accounting storage is disabled/i.test(e.message))
          this.noAccountingUntil = Date.now() + 10 * 60_000;
        else if (!(e instanceof LabFailure && e.code === 'slurm-failed')) throw e;
      }
    }
    return found;
  }
}

/** `<job>_<index>`, the name Slurm gives an array task. */
export function taskName(jobId: string, index: number): string {
  return `${jobId}_${index}`;
}
