import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { DistillSpecSchema, ExperimentSpecInput } from '../../../shared/spec/index.js';
import type { EpochRecord, ProbeSnapshot, RunReport, StepRecord } from '../../../shared/run-types.js';
import type { z } from 'zod';
import { readNpy } from '../../../electron/common/npy-file.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';

type DistillInput = z.input<typeof DistillSpecSchema>;

const training = { epochs: 1, batchSize: 16, lr: 0.05, stepsPerEpoch: 3, seed: 1 };
const probe = { perClass: 2, seed: 0, epochs: [0, 1] };

const teacherSpec: ExperimentSpecInput = {
  kind: 'train',
  dataset: 'squares',
  model: { arch: 'ref-cnn', width: 0.5 },
  training: { ...training, stepsPerEpoch: 8 },
  probe: { ...probe, epochs: [] },
  backend: 'wasm',
};

function distill(over: Partial<DistillInput>): ExperimentSpecInput {
  return {
    kind: 'distill',
    dataset: 'squares',
    teacher: { run: 'teacher' },
    model: { arch: 'ref-cnn', width: 0.25 },
    training,
    probe,
    backend: 'wasm',
    ...over,
  };
}

async function run(
  dataDir: string,
  id: string,
  spec: ExperimentSpecInput,
): Promise<{ runDir: string; report: RunReport }> {
  const runDir = await writeRun(dataDir, id, spec);
  const report = (await runTraining(
    { type: 'train', runDir, dataDir, resume: false },
    recordingIo(),
  )) as RunReport;
  return { runDir, report };
}

async function epochs(runDir: string): Promise<EpochRecord[]> {
  return (await readMetrics(runDir)).filter((m) => m.type === 'epoch') as unknown as EpochRecord[];
}

describe('distillation runs end to end (wasm, synthetic images)', () => {
  let teacherReport: RunReport;
  const data = useSquaresData({
    backend: 'wasm',
    then: async (dir) => {
      teacherReport = (await run(dir, 'teacher', teacherSpec)).report;
    },
  });

  it('GKD logs agreement, teacher accuracy, per-pair distances, the gkd component and probe teacher/diff graphs', async () => {
    const { runDir, report } = await run(data.dir, 'gkd', distill({ method: 'gkd' }));
    const [e] = await epochs(runDir);
    expect(e!.test.agreement).toBeGreaterThanOrEqual(0);
    expect(e!.test.agreement).toBeLessThanOrEqual(1);
    expect(e!.test.teacherAcc).toBeGreaterThan(0.25);
    for (const i of [0, 1, 2]) expect(e!.test[`gkd.pair${i}`]).toBeGreaterThan(0);
    expect(e!.train.gkd).toBeGreaterThan(0);
    expect(e!.train.ce).toBeGreaterThan(0);
    // The total is CE + the GKD term.
    expect(e!.train.loss).toBeCloseTo(e!.train.ce! + e!.train.gkd!, 4);
    const steps = (await readMetrics(runDir)).filter((m) => m.type === 'step') as unknown as StepRecord[];
    expect(Object.keys(steps[0]!.components).sort()).toEqual(['ce', 'gkd']);
    expect(report.metrics.agreement).toBe(e!.test.agreement);
    expect(report.metrics.teacherAcc).toBe(e!.test.teacherAcc);

    for (const epoch of [0, 1]) {
      const dir = path.join(runDir, 'probes', `e000${epoch}`);
      const snap = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as ProbeSnapshot;
      expect(snap.taps.map((t) => t.tap)).toEqual(['block1', 'block2', 'hidden']);
      for (const t of snap.taps) {
        expect(t.files.teacher).toBeDefined();
        expect(t.files.diff).toBeDefined();
        const teacher = await readNpy(path.join(runDir, t.files.teacher!));
        const diff = await readNpy(path.join(runDir, t.files.diff!));
        expect(teacher.header.shape).toEqual([8, 8]);
        // sqFrobenius is the sum of the squared |difference| entries.
        const sq = Array.from(diff.data as Float32Array).reduce((a, v) => a + v * v, 0);
        expect(t.sqFrobenius).toBeGreaterThan(0);
        expect(Math.abs(sq - t.sqFrobenius!) / t.sqFrobenius!).toBeLessThan(1e-4);
      }
    }
    // The epoch metric of pair i is the probe snapshot's ‖A_T − A_S‖² of the same epoch.
    const snap1 = JSON.parse(
      await fs.readFile(path.join(runDir, 'probes', 'e0001', 'index.json'), 'utf8'),
    ) as ProbeSnapshot;
    snap1.taps.forEach((t, i) =>
      expect(Math.abs(t.sqFrobenius! - e!.test[`gkd.pair${i}`]!) / t.sqFrobenius!).toBeLessThan(1e-4),
    );
  });

  it.each([
    ['student', {}, ['ce']],
    ['kd', {}, ['ce', 'kd']],
    ['rkd', { rkd: { distanceWeight: 25, angleWeight: 50 } }, ['ce', 'rkd']],
    ['sp', {}, ['ce', 'sp']],
    [
      'gkd',
      { gkd: { weight: 25, reduction: 'mean', lgg: { k: 3, maskSource: 'teacher', power: 2 } } },
      ['ce', 'gkd'],
    ],
  ] as const)('method %s runs and logs its components', async (method, extra, components) => {
    const { runDir } = await run(
      data.dir,
      `m-${method}`,
      distill({ method, ...extra, probe: { ...probe, epochs: [1] } }),
    );
    const [e] = await epochs(runDir);
    expect(
      Object.keys(e!.train)
        .filter((k) => k !== 'loss' && k !== 'acc')
        .sort(),
    ).toEqual([...components].sort());
    for (const c of components) expect(Number.isFinite(e!.train[c])).toBe(true);
    expect(e!.test.agreement).toBeDefined();
    expect(e!.test['gkd.pair2']).toBeDefined();
  });

  it('keeps the teacher fixed (its accuracy after training is its own run’s) and leaks no tensor', async () => {
    const spec = distill({
      method: 'gkd',
      gkd: { weight: 25, reduction: 'sum', lgg: { k: 3 } },
      probe: { ...probe, epochs: [] },
    });
    const runDir = await writeRun(data.dir, 'leak', spec);
    const before = tf.memory().numTensors;
    await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo());
    expect(tf.memory().numTensors).toBe(before);
    // teacherAcc is measured after the student's steps: a teacher touched by them would differ.
    const [e] = await epochs(runDir);
    expect(e!.test.teacherAcc).toBe(teacherReport.testAcc);
  });

  it('loads a teacher from a checkpoint folder (relative to the data folder) as well as from a run', async () => {
    const { runDir } = await run(
      data.dir,
      'ckpt',
      distill({ method: 'kd', teacher: { checkpoint: path.join('runs', 'teacher', 'checkpoints') } }),
    );
    const [e] = await epochs(runDir);
    expect(e!.test.teacherAcc).toBe(teacherReport.testAcc);
  });

  it('refuses a teacher with another input normalisation, a missing teacher, and unpairable stages', async () => {
    const noNorm = distill({ method: 'gkd', training: { ...training, normalize: false } });
    await expect(run(data.dir, 'norm', noNorm)).rejects.toThrow(/normalisation .*training\.normalize/);
    await expect(run(data.dir, 'missing', distill({ teacher: { run: 'nope' } }))).rejects.toThrow(
      /no checkpoint/,
    );
    const mlp = distill({ method: 'gkd', model: { arch: 'mlp', hidden: [16, 8] } });
    await expect(run(data.dir, 'mlp', mlp)).rejects.toThrow(/teacher .* has 3 stages .* student .* has 2/);
    // KD needs no pairs: the same student trains (without pair metrics).
    const { runDir } = await run(data.dir, 'mlp-kd', { ...mlp, method: 'kd' } as ExperimentSpecInput);
    const [e] = await epochs(runDir);
    expect(e!.test.agreement).toBeDefined();
    expect(e!.test['gkd.pair0']).toBeUndefined();
  });
});
