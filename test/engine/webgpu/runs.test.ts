import { expect, it } from 'vitest';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import type { EpochRecord, RunReport, StepRecord } from '../../../shared/run-types.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { useBackend } from '../../helpers/backend.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';
import { robustSpec } from '../experiments/robust-helpers.js';
import { describeWebGpu } from './helpers.js';

// One short run of each experiment kind on webgpu and on wasm from the same seed: the same batches,
// the same initial weights, so the logged loss of every step must agree. Both are float32 with
// different summation orders, so the trajectories drift apart slowly: |Δ| ≤ TOL · max(1, |loss|).
const TOL = 2e-3;
const training = { epochs: 1, batchSize: 16, lr: 0.05, stepsPerEpoch: 4, seed: 3 };
const probe = { perClass: 2, seed: 0, epochs: [1] };

const KINDS: [string, (backend: 'wasm' | 'webgpu') => ExperimentSpecInput][] = [
  [
    'train (reference CNN)',
    (backend) => ({
      kind: 'train',
      dataset: 'squares',
      model: { arch: 'ref-cnn', width: 0.25 },
      training,
      probe,
      backend,
    }),
  ],
  [
    'distill (GKD from a teacher)',
    (backend) => ({
      kind: 'distill',
      method: 'gkd',
      dataset: 'squares',
      teacher: { run: 'teacher' },
      model: { arch: 'ref-cnn', width: 0.25 },
      training,
      probe,
      backend,
    }),
  ],
  [
    'geometry (smoothness loss, k-NN)',
    (backend) => ({
      kind: 'geometry',
      method: 'smoothness',
      dataset: 'squares',
      model: { arch: 'ref-cnn', width: 0.25 },
      embeddingDim: 8,
      fitSubset: 60,
      // The classifier reported as acc is chosen on a validation split.
      training: { ...training, validationFraction: 0.2 },
      probe,
      backend,
    }),
  ],
  [
    'robust (Parseval + Laplacian, the evaluation suite with its attacks)',
    (backend) => {
      const s = robustSpec('parseval+laplacian');
      return {
        ...s,
        training: { ...s.training, ...training },
        backend,
        evaluation: { ...s.evaluation, corruptions: { suite: null, inApp: true } },
      };
    },
  ],
];

async function train(
  dataDir: string,
  id: string,
  spec: ExperimentSpecInput,
): Promise<{ report: RunReport; steps: StepRecord[]; epochs: EpochRecord[] }> {
  await useBackend(spec.backend as 'wasm' | 'webgpu');
  const runDir = await writeRun(dataDir, id, spec);
  const report = (await runTraining(
    { type: 'train', runDir, dataDir, resume: false },
    recordingIo(),
  )) as RunReport;
  const metrics = await readMetrics(runDir);
  return {
    report,
    steps: metrics.filter((m) => m.type === 'step') as unknown as StepRecord[],
    epochs: metrics.filter((m) => m.type === 'epoch') as unknown as EpochRecord[],
  };
}

function expectNear(gpu: number, wasm: number, what: string): void {
  expect(Math.abs(gpu - wasm), `${what}: webgpu ${gpu} vs wasm ${wasm}`).toBeLessThanOrEqual(
    TOL * Math.max(1, Math.abs(wasm)),
  );
}

describeWebGpu('webgpu training runs match wasm step by step', () => {
  const data = useSquaresData({
    then: async (dir) => {
      await train(dir, 'teacher', {
        kind: 'train',
        dataset: 'squares',
        model: { arch: 'ref-cnn', width: 0.5 },
        training: { ...training, stepsPerEpoch: 8 },
        probe: { ...probe, epochs: [] },
        backend: 'wasm',
      });
    },
  });

  it.each(KINDS)('%s', async (kind, spec) => {
    const id = kind.split(' ')[0]!;
    const wasm = await train(data.dir, `${id}-wasm`, spec('wasm'));
    const gpu = await train(data.dir, `${id}-webgpu`, spec('webgpu'));
    expect(gpu.steps.length).toBe(training.stepsPerEpoch);
    expect(gpu.steps.map((s) => s.step)).toEqual(wasm.steps.map((s) => s.step));
    gpu.steps.forEach((s, i) => {
      const w = wasm.steps[i]!;
      expectNear(s.loss, w.loss, `step ${s.step} loss`);
      for (const [k, v] of Object.entries(w.components))
        expectNear(s.components[k]!, v, `step ${s.step} ${k}`);
    });
    // Two backends really ran: float32 rounding differs somewhere along the way.
    expect(gpu.steps.some((s, i) => s.loss !== wasm.steps[i]!.loss)).toBe(true);
    expectNear(gpu.epochs[0]!.test.loss, wasm.epochs[0]!.test.loss, 'epoch test loss');
    // The final evaluation ran on webgpu too (for robust: noise, FGSM, PGD, corruptions, dropout, quantisation).
    expect(Object.keys(gpu.report.metrics).sort()).toEqual(Object.keys(wasm.report.metrics).sort());
    for (const [k, v] of Object.entries(gpu.report.metrics)) expect(Number.isFinite(v), k).toBe(true);
  });
});
