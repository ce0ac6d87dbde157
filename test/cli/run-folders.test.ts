import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lggLab } from '../helpers/cli.js';
import { tempDataDir } from '../helpers/runs.js';

/**
 * Run folders are untrusted input (defects 2, 3 and 4 of issue 12), exercised through the real
 * `lgg-lab` on copies of one real finished run: a few seconds of MLP training on `blobs`.
 */
let data: { dir: string; cleanup: () => Promise<void> };
let outside: string;
let source: string;

const SPEC = {
  kind: 'train',
  dataset: 'blobs',
  model: { arch: 'mlp', hidden: [8] },
  training: { epochs: 3, batchSize: 32, stepsPerEpoch: 2, evalSubset: 64 },
  probe: { perClass: 2, epochs: [0] },
};

const runDir = (id: string): string => path.join(data.dir, 'runs', id);
const lab = (...args: string[]): ReturnType<typeof lggLab> => lggLab([...args, '--data-dir', data.dir]);

/** A copy of the finished run under a new id, left `interrupted` (so it can be resumed). */
async function copyRun(
  id: string,
  patch: Record<string, unknown> = { state: 'interrupted' },
): Promise<string> {
  const dir = runDir(id);
  await fs.cp(runDir(source), dir, { recursive: true, verbatimSymlinks: true });
  const status = JSON.parse(await fs.readFile(path.join(dir, 'status.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  await fs.writeFile(path.join(dir, 'status.json'), JSON.stringify({ ...status, id, ...patch }));
  await fs.rm(path.join(dir, 'report.json'), { force: true });
  return dir;
}

async function epochRecords(dir: string): Promise<{ epoch: number; seconds: number }[]> {
  const text = await fs.readFile(path.join(dir, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.includes('"type":"epoch"'))
    .map((l) => JSON.parse(l) as { epoch: number; seconds: number });
}

const flipByte = async (file: string, at: number): Promise<void> => {
  const b = await fs.readFile(file);
  b[at] = (b[at] ?? 0) ^ 0x40;
  await fs.writeFile(file, b);
};

beforeAll(async () => {
  data = await tempDataDir('lgg-runfolders-');
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-outside-'));
  const spec = path.join(data.dir, 'spec.json');
  await fs.writeFile(spec, JSON.stringify(SPEC));
  const r = await lab('run', spec);
  expect(r.code, r.stderr).toBe(0);
  source = /^run (\S+) →/m.exec(r.stdout)?.[1] ?? '';
  expect(await fs.readdir(path.join(runDir(source), 'checkpoints'))).toEqual([
    'e0002-s000000004',
    'e0003-s000000006',
    'latest.json',
  ]);
});
afterAll(async () => {
  await data.cleanup();
  await fs.rm(outside, { recursive: true, force: true });
});

describe('resume from an untrusted run folder', () => {
  it('never opens a checkpoint latest.json points outside the run folder (defect 2)', async () => {
    const dir = await copyRun('escape-by-dotdot');
    // A valid checkpoint outside: the old reader followed latest.json to it and resumed from it.
    await fs.cp(path.join(dir, 'checkpoints', 'e0002-s000000004'), path.join(outside, 'x'), {
      recursive: true,
    });
    await fs.writeFile(
      path.join(dir, 'checkpoints', 'latest.json'),
      JSON.stringify({ dir: '../../../../../../../../..' + path.join(outside, 'x'), epoch: 2, step: 4 }),
    );
    const r = await lab('resume', 'escape-by-dotdot');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /resuming escape-by-dotdot from checkpoint e0003-s000000006 \(epoch 3, step 6\), the newest intact one: checkpoints\/latest.json dir: not a checkpoint folder name/,
    );

    const linked = await copyRun('escape-by-link');
    await fs.symlink(path.join(outside, 'x'), path.join(linked, 'checkpoints', 'e0009-s000000099'));
    await fs.writeFile(
      path.join(linked, 'checkpoints', 'latest.json'),
      JSON.stringify({ dir: 'e0009-s000000099', epoch: 9, step: 99 }),
    );
    const l = await lab('resume', 'escape-by-link');
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(
      /from checkpoint e0003-s000000006 .*checkpoints\/e0009-s000000099 "checkpoints\/e0009-s000000099" leads outside the run folder through a link/,
    );
  });

  it('falls back to the intact checkpoint beside a missing one and says so, instead of starting over (defect 3)', async () => {
    const dir = await copyRun('latest-gone');
    await fs.rm(path.join(dir, 'checkpoints', 'e0003-s000000006'), { recursive: true });
    const before = await epochRecords(dir);
    const r = await lab('resume', 'latest-gone');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /resuming latest-gone from checkpoint e0002-s000000004 \(epoch 2, step 4\), the newest intact one: checkpoints\/latest.json names e0003-s000000006, which does not exist/,
    );
    // Epochs 1 and 2 are the records written before (not retrained), epoch 3 is new.
    const after = await epochRecords(dir);
    expect(after.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));

    const noPointer = await copyRun('latest-deleted');
    await fs.rm(path.join(noPointer, 'checkpoints', 'latest.json'));
    const n = await lab('resume', 'latest-deleted');
    expect(n.stdout).toMatch(
      /from checkpoint e0003-s000000006 \(epoch 3, step 6\), the newest intact one: checkpoints\/latest.json is missing/,
    );
  });

  it('detects flipped bytes in weights.bin, resumes from the intact checkpoint, or refuses with the reason (defect 4)', async () => {
    const dir = await copyRun('flipped');
    await flipByte(path.join(dir, 'checkpoints', 'e0003-s000000006', 'weights.bin'), 17);
    const bad = await lab('resume', 'flipped', '--backend', 'gpu');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^--backend: unknown backend "gpu" \(auto\|tensorflow-gpu\|webgpu\|/);
    // On another backend than the spec's (as after a GPU fault): the same checks choose the checkpoint.
    const r = await lab('resume', 'flipped', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /from checkpoint e0002-s000000004 \(epoch 2, step 4\), the newest intact one: checkpoints\/e0003-s000000006\/weights.bin does not match the checksum written with it.* on cpu$/m,
    );
    const status = JSON.parse(await fs.readFile(path.join(dir, 'status.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ state: 'completed', backend: 'cpu' });

    const both = await copyRun('all-flipped');
    for (const c of ['e0002-s000000004', 'e0003-s000000006'])
      await flipByte(path.join(both, 'checkpoints', c, 'weights.bin'), 5);
    const statusBefore = await fs.readFile(path.join(both, 'status.json'), 'utf8');
    const refused = await lab('resume', 'all-flipped');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error \(run-damaged\): run all-flipped: checkpoints: no intact checkpoint to resume from \(checkpoints\/e0003-s000000006\/weights.bin: does not match/,
    );
    expect(await fs.readFile(path.join(both, 'status.json'), 'utf8')).toBe(statusBefore);

    const shown = await lab('show', 'all-flipped');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('checkpoints e0003-s000000006 damaged, e0002-s000000004 damaged');
    expect(shown.stdout).toMatch(/damaged +checkpoints\/e0002-s000000004\/weights.bin: does not match/);
  });
});

describe('listing and showing damaged runs (defect 4)', () => {
  it('lists every damaged run with the file and the reason; show names the file, never an internal error', async () => {
    const metrics = await copyRun('bad-metrics-line', { state: 'completed' });
    const lines = (await fs.readFile(path.join(metrics, 'metrics.jsonl'), 'utf8')).split('\n');
    lines.splice(2, 0, '{"type":"epoch","epoch":1}');
    await fs.writeFile(path.join(metrics, 'metrics.jsonl'), lines.join('\n'));
    await fs.writeFile(path.join(await copyRun('empty-status'), 'status.json'), '');
    await fs.writeFile(path.join(await copyRun('bad-spec'), 'spec.json'), '{"kind":"train","trainig":{}}');
    await copyRun('unknown-state', { state: 'paused' });
    await copyRun('negative-epoch', { epoch: -1 });

    const list = await lab('list');
    expect(list.code, list.stderr).toBe(0);
    for (const id of ['bad-metrics-line', 'empty-status', 'bad-spec', 'unknown-state', 'negative-epoch'])
      expect(list.stdout).toMatch(new RegExp(`^${id} +damaged`, 'm'));
    expect(list.stdout).toMatch(/bad-metrics-line: metrics.jsonl:3: .*train: Invalid input: expected object/);
    expect(list.stdout).toContain('empty-status: status.json: is empty');
    expect(list.stdout).toContain(
      'bad-spec: spec.json: (spec): unknown field "trainig" (did you mean "training"?)',
    );
    expect(list.stdout).toMatch(
      /unknown-state: status.json: state: Invalid option: expected one of "queued"\|.*"interrupted"$/m,
    );
    expect(list.stdout).toMatch(/negative-epoch: status.json: epoch: Too small: expected number to be >=0/);

    const shown = await lab('show', 'bad-metrics-line');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/damaged +metrics.jsonl:3: .*train: Invalid input/);
    expect(shown.stdout).toMatch(/test acc \d+\.\d\d %/);
    const status = await lab('show', 'empty-status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/state +damaged \(status.json: is empty\)/);
    const spec = await lab('show', 'bad-spec');
    expect(spec.code).toBe(1);
    expect(spec.stderr).toMatch(
      /^error \(run-damaged\): run bad-spec: spec.json: \(spec\): unknown field "trainig"/,
    );
  });
});

describe('listing cluster runs where Slurm cannot be asked', () => {
  it('says why once below the table, keeps each row on one line, and leaves the run as it is', async () => {
    await copyRun('cluster-copied', {
      state: 'queued',
      executor: {
        kind: 'slurm',
        jobId: '4242',
        arrayIndex: 0,
        script: '/shared/lgg/studies/x/job.sh',
        submittedAt: new Date().toISOString(),
      },
    });
    // A machine without Slurm's client commands (a laptop reading a copied data folder).
    const list = await lggLab(['list', '--data-dir', data.dir], { PATH: path.join(data.dir, 'no-bin') });
    expect(list.code, list.stderr).toBe(0);
    // The row stays one line, through to the name in the last column.
    expect(list.stdout).toMatch(/^cluster-copied +queued · Slurm not asked \(below\) +\d+\/\d+ .* train · /m);
    const why = list.stdout.split('Slurm could not be asked about the cluster runs:\n');
    expect(why).toHaveLength(2);
    expect(why[1]).toMatch(/^ {2}squeue was not found on this machine's PATH/);
    const status = JSON.parse(
      await fs.readFile(path.join(runDir('cluster-copied'), 'status.json'), 'utf8'),
    ) as {
      state: string;
    };
    expect(status.state).toBe('queued');
  });
});
