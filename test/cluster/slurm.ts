import { execFile, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RunStatus } from '../../shared/run-types.js';
import { writeJsonAtomic } from '../../electron/common/atomic-file.js';
import { lggLab } from '../helpers/cli.js';

/** Why the cluster tests cannot run here, or undefined when a Slurm answers with an idle node. */
export function slurmUnavailable(): string | undefined {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `sinfo cannot run (${r.error.message}): Slurm is not installed here`;
  if (r.status !== 0 || !/idle|mixed|allocated/.test(r.stdout))
    return `no Slurm answers with a usable node (sinfo: ${(r.stderr || r.stdout).trim() || `exit ${r.status}`})`;
  return undefined;
}

/** Runs a Slurm command, resolving with stdout (rejects on failure). */
export function slurmCmd(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 30_000 }, (e, out, err) =>
      e ? reject(new Error(`${cmd} ${args.join(' ')}: ${err || e.message}`)) : resolve(out),
    );
  });
}

/** squeue's lines for the array job of a task (`<job>_<index>`), one per task, in `format`. */
async function squeueLines(task: string, format: string): Promise<string[]> {
  const job = `--jobs=${task.split('_')[0]}`;
  return (await slurmCmd('squeue', ['-r', '-h', '--states=all', job, '-o', format])).split('\n');
}

/** Slurm's state word of an array task (`PENDING`, `RUNNING`, …), '' once it is forgotten. */
export async function taskState(task: string): Promise<string> {
  for (const line of await squeueLines(task, '%i|%T').catch(() => [])) {
    const [t, s] = line.split('|');
    if (t === task) return s ?? '';
  }
  return '';
}

/** Polls until `fn` returns a value (not undefined), or fails after `ms` with `what`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Asks Slurm to start a requeued task now instead of after its requeue delay (BeginTime, ~2 min).
 * Only once Slurm has finished requeueing it (reason BeginTime): started earlier, the new attempt
 * can meet the old one still being cleaned up on the node.
 */
export async function startNow(task: string): Promise<void> {
  await waitFor('the requeued task to wait for its begin time', async () => {
    const lines = await squeueLines(task, '%i|%T|%r');
    return lines.some((l) => l === `${task}|PENDING|BeginTime`) ? true : undefined;
  });
  await slurmCmd('scontrol', ['update', `JobId=${task}`, 'StartTime=now']);
}

/**
 * Settings of a test data folder: Slurm asked every second (the default is 10 s), and the default
 * free-form #SBATCH options `sbatchArgs`.
 */
export async function fastPollSettings(dataDir: string, sbatchArgs: string[] = []): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true });
  await writeJsonAtomic(path.join(dataDir, 'settings.json'), {
    maxConcurrentRuns: 1,
    backend: 'wasm',
    cluster: { defaults: { sbatchArgs }, pollSeconds: 1 },
  });
}

/** The lab's CLI on a test data folder, and a run's status as the lab shows it (with its Slurm state). */
export function labOn(dataDir: () => string): {
  cli: (
    args: string[],
    timeoutMs?: number,
    env?: Record<string, string>,
  ) => Promise<{ code: number; stdout: string; stderr: string }>;
  status: (id: string) => Promise<RunStatus>;
} {
  const cli = (
    args: string[],
    timeoutMs = 180_000,
    env: Record<string, string> = {},
  ): ReturnType<typeof lggLab> => lggLab(args, { LGG_LAB_HOME: dataDir(), ...env }, timeoutMs);
  return {
    cli,
    status: async (id) => {
      const r = await cli(['show', id, '--json']);
      if (r.code !== 0) throw new Error(r.stderr);
      return (JSON.parse(r.stdout) as { summary: { status: RunStatus } }).summary.status;
    },
  };
}
