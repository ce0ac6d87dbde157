import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { ProbeSnapshot, RunReport, StepRecord } from '../../../shared/run-types.js';
import { EvaluationSchema } from '../../../shared/spec/evaluation.js';
import { runEvaluation } from '../../../electron/engine/eval/evaluate-run.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { readMetrics, recordingIo, writeRun } from '../../helpers/runs.js';
import { robustSpec, writeSyntheticSuite } from './robust-helpers.js';

const TABLES = [
  'clean',
  'gaussian',
  'fgsm',
  'pgd',
  'deepfool',
  'corruptions',
  'corruptions-in-app',
  'dropout',
  'quantization',
];

describe('robust experiment end to end (synthetic squares, wasm)', () => {
  const data = useSquaresData({
    backend: 'wasm',
    then: (dir) => writeSyntheticSuite(dir, 'squares', 'squares-c'),
  });

  it('trains parseval+laplacian, logs σ per tap, snapshots perturbed profiles and writes every suite table', async () => {
    const runDir = await writeRun(data.dir, 'pr', robustSpec('parseval+laplacian'));
    const io = recordingIo();
    const before = tf.memory().numTensors;
    const report = (await runTraining(
      { type: 'train', runDir, dataDir: data.dir, resume: false },
      io,
    )) as RunReport;
    expect(tf.memory().numTensors).toBe(before);

    const steps = (await readMetrics(runDir)).filter((m) => m.type === 'step') as unknown as StepRecord[];
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      expect(Object.keys(s.components).sort()).toEqual([
        'ce',
        'delta',
        'laplacian',
        'sigma.hidden',
        'sigma.relu1',
        'sigma.relu2',
      ]);
      expect(s.components.laplacian).toBeCloseTo(1e-4 * s.components.delta!, 4);
      expect(s.loss).toBeCloseTo(s.components.ce! + s.components.laplacian!, 4);
    }
    const epoch = (await readMetrics(runDir)).find((m) => m.type === 'epoch') as {
      train: Record<string, number>;
    };
    expect(Number.isFinite(epoch.train['sigma.relu1'])).toBe(true);

    const snap = JSON.parse(
      await fs.readFile(path.join(runDir, 'probes', 'e0001', 'index.json'), 'utf8'),
    ) as ProbeSnapshot;
    expect(snap.graph).toBe('cosine, self-loops, unnormalised, dense');
    expect(snap.taps.map((t) => t.tap)).toEqual(['relu1', 'relu2', 'hidden']);
    expect(Object.keys(snap.perturbed ?? {})).toEqual([
      'gaussian ε=0.1',
      'gaussian ε=0.4',
      'pgd ε=0.05, step 0.02 × 3, random start',
    ]);
    for (const profile of Object.values(snap.perturbed ?? {})) {
      expect(profile).toHaveLength(3);
      for (const v of profile) expect(Number.isFinite(v)).toBe(true);
    }

    const onDisk = JSON.parse(await fs.readFile(path.join(runDir, 'report.json'), 'utf8')) as RunReport;
    expect(onDisk).toEqual(report);
    // The trainer appends its confusion matrix after the suite's tables.
    expect(report.tables.map((t) => t.id)).toEqual([...TABLES, 'confusion']);
    for (const t of report.tables) for (const row of t.rows) expect(row).toHaveLength(t.columns.length);
    const byId = Object.fromEntries(report.tables.map((t) => [t.id, t]));
    expect(byId.gaussian!.rows).toHaveLength(2);
    expect(byId.fgsm!.rows.map((r) => `${r[0]} ${r[1]}`)).toEqual([
      'fgsm-pixel L∞ ε=0.05',
      'fgsm-pixel SNR 20 dB',
      'fgsm-normalised SNR 20 dB',
    ]);
    expect(byId.pgd!.columns.slice(-2)).toEqual(['pgd-any-iterate %', 'pgd-final-iterate %']);
    // Foolbox counting never reports more than the final iterate does.
    expect(Number(byId.pgd!.rows[0]![5])).toBeLessThanOrEqual(Number(byId.pgd!.rows[0]![6]));
    expect(byId.deepfool!.rows[0]![0]).toBe(12); // every 2nd of 24
    expect(byId.corruptions!.rows.map((r) => r[0])).toEqual(['noise', 'blank', 'mean']);
    expect(byId.corruptions!.rows[1]!.slice(2, 6)).toEqual(['—', '—', '—', '—']);
    expect(byId['corruptions-in-app']!.rows.map((r) => r[0])).toEqual([
      'gaussian_noise',
      'shot_noise',
      'impulse_noise',
      'brightness',
      'contrast',
      'mean',
    ]);
    // The reference CNN's blocks: two pooled conv units and the hidden layer; and its 3 ReLUs.
    expect(byId.dropout!.rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['dropout-blocks', 0.25, 3, 2],
      ['dropout-relus', 0.25, 3, 2],
    ]);
    expect(byId.dropout!.title).not.toMatch(/warning/);
    expect(byId.quantization!.rows.map((r) => [r[0], r[1]])).toEqual([
      ['quantise-truncate', 5],
      ['quantise-round', 5],
    ]);
    for (const key of [
      'clean',
      'gaussian@0.1',
      'gaussian@0.4',
      'fgsm-pixel@0.05',
      'fgsm-pixel@20dB',
      'fgsm-normalised@20dB',
      'pgd-any-iterate@0.05×3+rs',
      'pgd-final-iterate@0.05×3+rs',
      'deepfool',
      'corruptions.suite.error',
      'corruptions.inApp.error',
      'dropout-blocks@0.25',
      'dropout-relus@0.25',
      'quantise-truncate@5bit',
      'quantise-round@5bit',
    ]) {
      expect(report.metrics[key], key).toBeGreaterThanOrEqual(0);
      expect(report.metrics[key], key).toBeLessThanOrEqual(1);
    }
    expect(io.messages.some((m) => m.type === 'progress' && m.progress.phase === 'robustness')).toBe(true);

    // Re-evaluation from the checkpoint with another suite merges into report.json.
    const evaluation = EvaluationSchema.parse({
      subset: 12,
      gaussian: null,
      fgsm: null,
      pgd: [],
      corruptions: null,
      dropout: [],
      quantizationBits: [4, 8],
      protocols: ['quantise-round'],
    });
    const again = await runEvaluation(
      { type: 'evaluate', runDir, dataDir: data.dir, evaluation },
      recordingIo(),
    );
    expect(again.tables.map((t) => t.id)).toEqual([...TABLES, 'confusion']);
    expect(again.tables.find((t) => t.id === 'quantization')!.rows.map((r) => [r[0], r[1]])).toEqual([
      ['quantise-round', 4],
      ['quantise-round', 8],
    ]);
    expect(again.tables.find((t) => t.id === 'clean')!.rows[0]![0]).toBe(12);
    expect(again.tables.find((t) => t.id === 'pgd')).toEqual(report.tables.find((t) => t.id === 'pgd'));
    // The quantisation table was replaced whole: no stale truncate row or metric is left behind.
    expect(
      Object.keys(again.metrics)
        .filter((k) => k.startsWith('quantise-'))
        .sort(),
    ).toEqual(['quantise-round@4bit', 'quantise-round@8bit']);
    expect(again.metrics['pgd-any-iterate@0.05×3+rs']).toBe(report.metrics['pgd-any-iterate@0.05×3+rs']);
    expect(JSON.parse(await fs.readFile(path.join(runDir, 'report.json'), 'utf8'))).toEqual(again);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains the Parseval network for a Parseval method, records it in the checkpoint and evaluates it', async () => {
    const spec = robustSpec('parseval');
    const runDir = await writeRun(data.dir, 'pnet', {
      ...spec,
      model: { arch: 'preact-resnet18', width: 1 / 32 },
      parseval: { beta: 0.01, network: true },
      probe: { perClass: 2, seed: 0, epochs: [] },
      evaluation: { subset: 24, protocols: [], perturbedProfiles: false },
    });
    const report = (await runTraining(
      { type: 'train', runDir, dataDir: data.dir, resume: false },
      recordingIo(),
    )) as RunReport;
    const latest = JSON.parse(await fs.readFile(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as {
      dir: string;
    };
    const meta = JSON.parse(
      await fs.readFile(path.join(runDir, 'checkpoints', latest.dir, 'model.json'), 'utf8'),
    ) as { model: unknown };
    expect(meta.model).toEqual({ arch: 'preact-resnet18', width: 1 / 32, parseval: true });
    // Re-evaluation rebuilds the same (Parseval) network from the checkpoint: same clean accuracy.
    const again = await runEvaluation(
      {
        type: 'evaluate',
        runDir,
        dataDir: data.dir,
        evaluation: EvaluationSchema.parse({ subset: 24, protocols: [] }),
      },
      recordingIo(),
    );
    expect(again.metrics.clean).toBe(report.metrics.clean);
  });

  it('vanilla logs σ and Δ but trains on cross-entropy alone', async () => {
    const spec = robustSpec('vanilla');
    const runDir = await writeRun(data.dir, 'v', {
      ...spec,
      evaluation: {
        subset: null,
        gaussian: null,
        fgsm: null,
        pgd: [],
        deepfool: null,
        corruptions: null,
        dropout: [],
        quantizationBits: [],
        perturbedProfiles: false,
      },
    });
    const report = (await runTraining(
      { type: 'train', runDir, dataDir: data.dir, resume: false },
      recordingIo(),
    )) as RunReport;
    const steps = (await readMetrics(runDir)).filter((m) => m.type === 'step') as unknown as StepRecord[];
    for (const s of steps) {
      expect(s.components.laplacian).toBeUndefined();
      expect(s.components.delta).toBeGreaterThan(0);
      expect(s.loss).toBeCloseTo(s.components.ce!, 5);
    }
    expect(report.tables.map((t) => t.id)).toEqual(['clean', 'confusion']);
    // The suite's classifier normalises pixels itself: on the whole test split it agrees with the trainer.
    expect(report.metrics.clean).toBe(report.testAcc);
    const snap = JSON.parse(
      await fs.readFile(path.join(runDir, 'probes', 'e0001', 'index.json'), 'utf8'),
    ) as ProbeSnapshot;
    expect(snap.perturbed).toBeUndefined();
  });

  it('stops a run whose smoothness term kills a layer, with the reason', async () => {
    // Raw σ with m = 2 and γ = 0.1: the term (≈ 45) dwarfs the cross-entropy and zeroes relu2.
    const spec = robustSpec('laplacian');
    const runDir = await writeRun(data.dir, 'collapse', {
      ...spec,
      laplacian: { gamma: 0.1, m: 2, taps: 'relu', sigma: 'raw' },
      training: { ...spec.training, epochs: 3, batchSize: 32, stepsPerEpoch: 20 },
    });
    const before = tf.memory().numTensors;
    await expect(
      runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo()),
    ).rejects.toThrow(/Training collapsed: layers? .*output only zeros .*lower laplacian\.gamma/);
    // The check runs off the gradient tape: stopping strands none of the tensors it saved.
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails before training when the requested corruption suite is not there', async () => {
    const spec = robustSpec('laplacian');
    const runDir = await writeRun(data.dir, 'missing', {
      ...spec,
      evaluation: { corruptions: { suite: 'no-such-suite', inApp: false } },
    });
    await expect(
      runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, recordingIo()),
    ).rejects.toThrow(/no-such-suite/);
    await expect(fs.access(path.join(runDir, 'metrics.jsonl'))).rejects.toThrow();
  });
});
