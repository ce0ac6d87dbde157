import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { RunHolder, RunStatus } from '../../../shared/run-types.js';

/** True when a process with this pid exists on this machine. */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Start time of a process in clock ticks since boot (`/proc/<pid>/stat` field 22), or undefined
 * where there is no /proc (macOS, Windows) or the process is gone. The command name (field 2) is in
 * parentheses and may hold spaces or parentheses itself, so fields are counted after the last `)`.
 */
export function processStartTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After ") " come field 3 (state) onwards: field 22 is the 20th of those.
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

let self: RunHolder | undefined;

/** This lab process, as status.json records the holder of the runs its queue holds. */
export function thisHolder(): RunHolder {
  if (!self) {
    const startTicks = processStartTicks(process.pid);
    self = { hostname: os.hostname(), pid: process.pid, ...(startTicks !== undefined ? { startTicks } : {}) };
  }
  return self;
}

/**
 * Whether the process that holds a run is gone: `true` only when that is proven (same machine, and
 * its pid is free or taken by a later process), `false` while it lives, `undefined` when this
 * process cannot tell (it runs on another machine sharing the data folder).
 */
export function holderGone(h: RunHolder): boolean | undefined {
  if (h.hostname !== os.hostname()) return undefined;
  if (!alive(h.pid)) return true;
  if (h.startTicks === undefined) return false;
  const now = processStartTicks(h.pid);
  return now !== undefined && now !== h.startTicks;
}

/**
 * True for a run left `running` or `queued` by a lab process that is gone (crash, kill): it is then
 * `interrupted`, to be resumed from its last checkpoint. A run another live process holds is that
 * process's to change, and so is a run held on another machine (nothing here can prove that process
 * dead). Cluster runs are never judged here: their executor (Slurm) says what became of them. A run
 * folder written before holders were recorded falls back to the engine's pid.
 */
export function abandoned(s: RunStatus): boolean {
  if ((s.state !== 'running' && s.state !== 'queued') || s.executor !== undefined) return false;
  if (s.holder) {
    if (holderGone(s.holder) !== true) return false;
    // The engine outlives its host for a moment (it checkpoints when the host's pipe closes).
    return !(s.state === 'running' && alive(s.pid));
  }
  return !(s.state === 'running' && alive(s.pid));
}
