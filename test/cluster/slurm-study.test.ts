import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochRecord } from '../../shared/run-types.js';
import { fastPollSettings, labOn, slurmCmd, slurmUnavailable } from './slurm.js';

// A real one-node Slurm (test/cluster/slurm-up.sh, started by .ci/run or the global set-up).
const unavailable = slurmUnavailable();
if (unavailable) console.warn(`cluster tests skipped: ${unavailable}`);

let dataDir: string;

/** A 2-method × 2-seed geometry study on the synthetic blobs set: seconds per run. */
const STUDY = {
  kind: 'study',
  name: 'blobs-geometry',
  base: {
    kind: 'geometry',
    method: 'ce',
    dataset: 'blobs',
    model: { arch: 'mlp', hidden: [16] },
    embeddingDim: 8,
    // A smoothness run picks its classifier on a held-out validation split.
    training: { epochs: 2, batchSize: 32, lr: 0.05, validationFraction: 0.1 },
  },
  methods: ['ce', 'smoothness'],
  seeds: [0, 1],
};

const { cli, status } = labOn(() => dataDir);

async function epochs(id: string): Promise<Omit<EpochRecord, 'seconds' | 'samplesPerSec'>[]> {
  const text = await fs.readFile(path.join(dataDir, 'runs', id, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.includes('"type":"epoch"'))
    .map((l) => {
      const { seconds, samplesPerSec, ...rest } = JSON.parse(l) as EpochRecord;
      void seconds;
      void samplesPerSec;
      return rest;
    });
}

/** A quick run submitted to Slurm (options follow). */
const QUICK_ON_SLURM = ['run', '--preset', 'mnist-mlp-quick', '--dataset', 'blobs', '--executor', 'slurm'];

function runIds(stdout: string): string[] {
  return [...stdout.matchAll(/task \d+_\d+ → (\S+)/g)].map((m) => m[1] ?? '');
}

describe.skipIf(unavailable !== undefined)('studies on a real Slurm cluster', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-slurm-'));
    await fastPollSettings(dataDir);
  });
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  it('runs a 2 × 2 study as a job array whose metrics equal the same study run here', async () => {
    const file = path.join(dataDir, 'study.json');
    const here = path.join(dataDir, 'study-here.json');
    await fs.writeFile(file, JSON.stringify(STUDY));
    await fs.writeFile(here, JSON.stringify({ ...STUDY, name: 'blobs-geometry-here' }));
    // The same study on this machine's queue, at the same time (the cluster has cores to spare).
    const [onSlurm, onHere] = await Promise.all([
      cli(['study', file, '--executor', 'slurm', '--max-parallel', '2']),
      cli(['study', here]),
    ]);
    expect(onSlurm.stderr).toBe('');
    expect(onSlurm.code).toBe(0);
    const ids = runIds(onSlurm.stdout);
    expect(ids).toHaveLength(4);
    // Followed live: Slurm states, then the outcome and the merged report.
    expect(onSlurm.stdout).toMatch(/Slurm (PENDING|RUNNING)/);
    expect(onSlurm.stdout).toMatch(/completed · Slurm COMPLETED on \S+/);
    expect(onSlurm.stdout).toContain('| test accuracy |');
    const report = await fs.readFile(path.join(dataDir, 'studies', 'blobs-geometry', 'report.md'), 'utf8');
    expect(report).toContain('ce (n = 2)');
    expect(report).toContain('smoothness (n = 2)');
    // The script is beside the study, each task's log in its run folder.
    const [sub] = (await fs.readdir(path.join(dataDir, 'studies', 'blobs-geometry'))).filter((f) =>
      f.startsWith('slurm-'),
    );
    const script = await fs.readFile(
      path.join(dataDir, 'studies', 'blobs-geometry', sub ?? '', 'job.sh'),
      'utf8',
    );
    expect(script).toContain('#SBATCH --array=0-3%2');
    const s0 = await status(ids[0] ?? '');
    expect(s0.executor?.jobId).toMatch(/^\d+$/);
    expect(s0.executor?.node).toBeTruthy();
    const log = await fs.readFile(
      path.join(dataDir, 'runs', ids[0] ?? '', `slurm-${s0.executor?.jobId}_0.out`),
      'utf8',
    );
    expect(log).toMatch(/completed in/);

    expect(onHere.code).toBe(0);
    const localIds = [...onHere.stdout.matchAll(/queued (\S+)/g)].map((m) => m[1] ?? '');
    expect(localIds).toHaveLength(4);
    // Same method × seed order on both sides: every epoch record and the final metrics agree.
    for (const [i, id] of ids.entries()) {
      expect(await epochs(id)).toEqual(await epochs(localIds[i] ?? ''));
      const a = JSON.parse(await fs.readFile(path.join(dataDir, 'runs', id, 'report.json'), 'utf8')) as {
        metrics: unknown;
      };
      const b = JSON.parse(
        await fs.readFile(path.join(dataDir, 'runs', localIds[i] ?? '', 'report.json'), 'utf8'),
      ) as { metrics: unknown };
      expect(a.metrics).toEqual(b.metrics);
    }
  });

  it('refuses a submission sbatch rejects, leaving no run folder and no job behind', async () => {
    const before = await fs.readdir(path.join(dataDir, 'runs'));
    const r = await cli([...QUICK_ON_SLURM, '--partition', 'no-such-partition', '--assume-shared-fs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \(slurm-failed\): sbatch .* failed \(exit \d+\): .*partition/i);
    expect(await fs.readdir(path.join(dataDir, 'runs'))).toEqual(before);
    // No job of this data folder is queued (other tests' jobs may be).
    const queued = (await slurmCmd('squeue', ['-h', '-o', '%Z']))
      .split('\n')
      .filter((d) => d.startsWith(dataDir));
    expect(queued).toEqual([]);

    // Only the lab itself is started by absolute path: with this PATH no Slurm command can be found.
    const noSlurm = await cli(QUICK_ON_SLURM, 60_000, {
      PATH: path.join(dataDir, 'no-such-bin'),
    });
    expect(noSlurm.code).toBe(1);
    expect(noSlurm.stderr).toMatch(/error \(slurm-missing\): sbatch was not found/);
    expect(await fs.readdir(path.join(dataDir, 'runs'))).toEqual(before);
  });

  it('shows a task that fails with the reason from its own log', async () => {
    // A lab command the node cannot start: the task dies in its batch shell, before the lab could
    // record anything; the lab reading the run takes the reason from the task's log.
    const r = await cli([...QUICK_ON_SLURM, '--lab-command', '/nonexistent/node /nonexistent/lgg-lab.js']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/failed · Slurm FAILED on \S+ exit 127/);
    const [id] = runIds(r.stdout);
    const s = await status(id ?? '');
    expect(s.state).toBe('failed');
    expect(s.error?.message).toMatch(
      /Slurm task \d+_0 failed on \S+ \(exit 127:0\); its log ends:\n.*\/nonexistent\/node: No such file or directory/,
    );
  });
});
