import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/run-types.js';
import { createLabHost } from '../../electron/host/lab-host.js';
import {
  fastPollSettings,
  labOn,
  slurmCmd,
  slurmUnavailable,
  startNow,
  taskState,
  waitFor,
} from './slurm.js';

const unavailable = slurmUnavailable();
if (unavailable) console.warn(`cluster tests skipped: ${unavailable}`);

let dataDir: string;

/** 2 epochs of 1,200 small steps (≈ 2 s each here): a signal after the first epoch lands mid-epoch. */
const SLOW = {
  kind: 'train',
  method: 'ce',
  dataset: 'blobs',
  model: { arch: 'mlp', hidden: [256, 256] },
  training: { epochs: 2, batchSize: 2, lr: 0.01, trainSubset: 2400, evalSubset: 200 },
};

const { cli, status } = labOn(() => dataDir);

/** Submits the slow run to Slurm without following it; resolves with its id and array task. */
async function submitSlow(extra: string[] = []): Promise<{ id: string; task: string }> {
  const file = path.join(dataDir, 'slow.json');
  await fs.writeFile(file, JSON.stringify(SLOW));
  const r = await cli(['run', file, '--executor', 'slurm', '--detach', ...extra]);
  expect(r.stderr).toBe('');
  const m = /task (\d+_\d+) → (\S+)/.exec(r.stdout);
  if (!m) throw new Error(`no submission in: ${r.stdout}`);
  return { task: m[1] ?? '', id: m[2] ?? '' };
}

/** Resolves once the run has finished its first epoch and trains the second. */
async function inSecondEpoch(id: string): Promise<void> {
  await waitFor('the run to train its second epoch', async () => {
    const text = await fs.readFile(path.join(dataDir, 'runs', id, 'metrics.jsonl'), 'utf8');
    return /"type":"step","epoch":2/.test(text) ? true : undefined;
  });
}

/** The task's own log, for failure messages. */
function taskLog(id: string, task: string): Promise<string> {
  return fs
    .readFile(path.join(dataDir, 'runs', id, `slurm-${task}.out`), 'utf8')
    .catch((e: Error) => e.message);
}

/** status.json as the task wrote it (cheap to poll; the lab's own view comes from `status`). */
async function written(id: string): Promise<RunStatus> {
  return JSON.parse(await fs.readFile(path.join(dataDir, 'runs', id, 'status.json'), 'utf8')) as RunStatus;
}

/**
 * Waits until the run's task is over for Slurm and the run recorded an end, then returns the
 * status as the lab shows it (with the Slurm state, reconciled where Slurm knows better).
 */
async function settled(id: string, task: string, ms = 150_000): Promise<RunStatus> {
  await waitFor(
    `run ${id} to settle`,
    async () => {
      // Slurm says the task is over (an answer, not a failed squeue) and the run recorded an end.
      const over = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|PREEMPTED|NODE_FAIL|OUT_OF_MEMORY)/.test(
        await taskState(task),
      );
      return over && !['queued', 'running'].includes((await written(id)).state) ? true : undefined;
    },
    ms,
  );
  return status(id);
}

/** The latest checkpoint of a run: training position and weight bytes. */
async function lastCheckpoint(
  id: string,
): Promise<{ stepInEpoch: number; step: number; weights: Buffer; optimizer: Buffer }> {
  const root = path.join(dataDir, 'runs', id, 'checkpoints');
  const latest = JSON.parse(await fs.readFile(path.join(root, 'latest.json'), 'utf8')) as { dir: string };
  const dir = path.join(root, latest.dir);
  const meta = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as {
    state: { stepInEpoch: number; step: number };
  };
  return {
    ...meta.state,
    weights: await fs.readFile(path.join(dir, 'weights.bin')),
    optimizer: await fs.readFile(path.join(dir, 'optimizer.bin')),
  };
}

describe.skipIf(unavailable !== undefined)(
  'cluster runs: cancel, requeue, warning signal, resubmission, failures',
  { timeout: 300_000 },
  () => {
    let reference: { weights: Buffer; optimizer: Buffer; step: number };

    beforeAll(async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-slurm-'));
      await fastPollSettings(dataDir);
      const file = path.join(dataDir, 'slow.json');
      await fs.writeFile(file, JSON.stringify(SLOW));
      // The same run, uninterrupted, on this machine: what every interrupted task must end with.
      const r = await cli(['run', file]);
      expect(r.code).toBe(0);
      const id = /run (\S+) →/.exec(r.stdout)?.[1] ?? '';
      reference = await lastCheckpoint(id);
    });
    afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

    it('checkpoints mid-epoch on scontrol requeue and the requeued task resumes bit-identically', async () => {
      const { id, task } = await submitSlow();
      await inSecondEpoch(id);
      await slurmCmd('scontrol', ['requeue', task]);
      const stopped = await waitFor('the interrupted status', async () => {
        const s = await written(id);
        return s.state === 'interrupted' ? s : undefined;
      });
      expect(stopped.error?.code).toBe('slurm-requeued');
      const mid = await lastCheckpoint(id);
      expect(mid.stepInEpoch).toBeGreaterThan(0);
      await startNow(task);
      const done = await settled(id, task);
      expect(done.state, await taskLog(id, task)).toBe('completed');
      expect(done.executor?.restarts).toBe(1);
      const end = await lastCheckpoint(id);
      expect(end.step).toBe(reference.step);
      expect(end.weights.equals(reference.weights)).toBe(true);
      expect(end.optimizer.equals(reference.optimizer)).toBe(true);
      const log = await fs.readFile(path.join(dataDir, 'runs', id, `slurm-${task}.out`), 'utf8');
      expect(log).toMatch(/DUE TO JOB REQUEUE/);
      expect(log).toMatch(/resuming from its checkpoint \(epoch 1, step \d+\)/);
    });

    it('checkpoints on the time-limit warning (USR1 to the batch shell), requeues itself and resumes bit-identically', async () => {
      const { id, task } = await submitSlow();
      await inSecondEpoch(id);
      await slurmCmd('scancel', ['--signal=USR1', '--batch', task]);
      await waitFor('the task to requeue itself', async () =>
        (await taskState(task)) === 'PENDING' ? true : undefined,
      );
      const stopped = await status(id);
      expect(stopped.state).toBe('interrupted');
      expect(stopped.error?.code).toBe('slurm-warning');
      expect((await lastCheckpoint(id)).stepInEpoch).toBeGreaterThan(0);
      await startNow(task);
      const done = await settled(id, task);
      expect(done.state).toBe('completed');
      const end = await lastCheckpoint(id);
      expect(end.weights.equals(reference.weights)).toBe(true);
      expect(end.optimizer.equals(reference.optimizer)).toBe(true);
    });

    it('marks a run cancelled when its task is scancelled mid-run, and resumes it by resubmitting', async () => {
      const { id, task } = await submitSlow();
      await inSecondEpoch(id);
      await slurmCmd('scancel', [task]);
      const cancelled = await settled(id, task);
      expect(cancelled.state).toBe('cancelled');
      expect(cancelled.slurm?.state).toBe('CANCELLED');
      const resumed = await cli(['resume', id]);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      const again = /task (\d+_\d+) →/.exec(resumed.stdout)?.[1];
      expect(again).toBeDefined();
      expect(again).not.toBe(task);
      const done = await status(id);
      expect(done.state).toBe('completed');
      const end = await lastCheckpoint(id);
      expect(end.weights.equals(reference.weights)).toBe(true);
    });

    it('cancels from the lab: a pending task at once, a running one after its checkpoint', async () => {
      const pending = await submitSlow(['--sbatch-arg=--begin=now+1hour']);
      await waitFor('the task to be pending', async () =>
        (await taskState(pending.task)) === 'PENDING' ? true : undefined,
      );
      const stop = await cli(['stop', pending.id]);
      expect(stop.stdout).toContain('stopping');
      expect((await status(pending.id)).state).toBe('cancelled');
      expect(await taskState(pending.task)).not.toBe('PENDING');

      const running = await submitSlow();
      await inSecondEpoch(running.id);
      expect((await cli(['stop', running.id])).code).toBe(0);
      const s = await settled(running.id, running.task);
      expect(s.state).toBe('cancelled');
      expect(s.error?.message).toMatch(/cancelled from the lab/);
      expect((await lastCheckpoint(running.id)).stepInEpoch).toBeGreaterThan(0);
    });

    it('resubmits from a browser with the settings’ free-form #SBATCH options, not those a status.json carries', async () => {
      const { id, task } = await submitSlow(['--sbatch-arg=--begin=now+1hour']);
      await waitFor('the task to be pending', async () =>
        (await taskState(task)) === 'PENDING' ? true : undefined,
      );
      expect((await cli(['stop', id])).code).toBe(0);
      const script = async (): Promise<string> =>
        fs.readFile((await written(id)).executor?.script ?? '', 'utf8');
      // status.json is untrusted: a browser (web mode) must not make Slurm take its free-form options.
      await fastPollSettings(dataDir, ['--begin=now+2hours']);
      const web = await createLabHost({ dataDir, mode: 'web', allowedRoots: [dataDir] });
      try {
        const r = await web.request('lab:runs.resume', { id });
        expect(r.ok ? '' : r.error.message).toBe('');
        expect((await written(id)).executor?.options?.sbatchArgs).toEqual(['--begin=now+2hours']);
        expect(await script()).toContain('#SBATCH --begin=now+2hours\n');
        expect(await script()).not.toContain('now+1hour');
        const stop = await web.request('lab:runs.stop', { id });
        expect(stop.ok && stop.value.stopped).toBe(true);
      } finally {
        await web.close();
        await fastPollSettings(dataDir);
      }
      // The person at the terminal resubmits with the run's own options, whatever the settings say.
      const again = await cli(['resume', id, '--detach']);
      expect(again.stderr).toBe('');
      expect(await script()).toContain('#SBATCH --begin=now+2hours\n');
      expect((await cli(['stop', id])).code).toBe(0);
      expect((await status(id)).state).toBe('cancelled');
    });

    it('fails a task whose dataset was removed, with the reason in the run and in its log', async () => {
      // `moons` exists when the run is submitted (imported on first use), then goes before the task starts.
      const { id, task } = await submitSlow(['--sbatch-arg=--begin=now+1hour', '--dataset', 'moons']);
      await fs.rm(path.join(dataDir, 'datasets', 'moons'), { recursive: true });
      await slurmCmd('scontrol', ['update', `JobId=${task}`, 'StartTime=now']);
      const s = await settled(id, task);
      expect(s.state).toBe('failed');
      expect(s.error?.message).toMatch(/dataset "moons" is not in/);
      const log = await fs.readFile(path.join(dataDir, 'runs', id, `slurm-${task}.out`), 'utf8');
      expect(log).toMatch(/failed: dataset "moons" is not in/);
      const shown = await cli(['show', id]);
      expect(shown.stdout).toMatch(/state +failed \(dataset "moons" is not in/);
    });
  },
);
