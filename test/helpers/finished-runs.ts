import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../../electron/common/atomic-file.js';
import { writeNpy } from '../../electron/common/npy-file.js';
import { PRESETS, presetSpec } from '../../shared/presets.js';
import type { MetricsRecord, ProbeSnapshot, RunReport, RunStatus } from '../../shared/run-types.js';
import { writeRun } from './runs.js';

/** What a scripted finished distillation run looks like. */
export interface FinishedRunOptions {
  method: string;
  seed: number;
  study?: string;
  /** Final test accuracy in [0, 1]. */
  acc: number;
  /** Report metrics besides `acc`. */
  metrics?: Record<string, number>;
  epochs?: number;
  /** Probe batch size (classes × per class). */
  classes?: number;
  perClass?: number;
  state?: RunStatus['state'];
}

/**
 * Writes a finished distillation run folder as the engine leaves it: spec, status, metrics
 * (step and epoch records), probe snapshots with teacher, student and difference graphs, and a
 * report with a confusion table. Enough for the CLI's list/show and the figure set.
 */
export async function writeFinishedRun(dataDir: string, id: string, o: FinishedRunOptions): Promise<string> {
  const preset = PRESETS.find((p) => p.id === 'mnist-gkd-quick') ?? PRESETS[0]!;
  const epochs = o.epochs ?? 2;
  const classes = o.classes ?? 3;
  const perClass = o.perClass ?? 4;
  const dir = await writeRun(dataDir, id, {
    ...presetSpec(preset),
    method: o.method,
    teacher: { run: 'teacher' },
    training: { ...presetSpec(preset).training, epochs, seed: o.seed },
    ...(o.study ? { study: o.study } : {}),
  } as never);
  const status: RunStatus = {
    id,
    state: o.state ?? 'completed',
    createdAt: `2026-01-01T00:00:0${o.seed}Z`,
    updatedAt: '2026-01-01T00:10:00Z',
    startedAt: '2026-01-01T00:00:10Z',
    endedAt: '2026-01-01T00:03:23Z',
    epoch: epochs,
    totalEpochs: epochs,
    backend: 'wasm',
  };
  await writeJsonAtomic(path.join(dir, 'status.json'), status);
  const steps = 8;
  const lines: MetricsRecord[] = [];
  for (let e = 1; e <= epochs; e++) {
    for (let s = 1; s <= steps; s++)
      lines.push({
        type: 'step',
        epoch: e,
        step: (e - 1) * steps + s,
        lr: 0.02,
        loss: 2 / (e + s / steps),
        acc: 0.5,
        components: {},
      });
    const acc = o.acc - 0.01 * (epochs - e);
    lines.push({
      type: 'epoch',
      epoch: e,
      step: e * steps,
      lr: 0.02,
      seconds: 30,
      samplesPerSec: 500,
      train: { loss: 1 / e, acc },
      test: { loss: 1.2 / e, acc, ...(o.metrics ?? {}) },
    });
  }
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const n = classes * perClass;
  const labels = Array.from({ length: n }, (_, i) => Math.floor(i / perClass));
  const graph = (shift: number) =>
    Float32Array.from({ length: n * n }, (_, k) =>
      labels[Math.floor(k / n)] === labels[k % n] ? 0.8 - shift : 0.1 + shift,
    );
  for (const e of [0, epochs]) {
    const folder = path.join(dir, 'probes', `e${String(e).padStart(4, '0')}`);
    await fs.mkdir(folder, { recursive: true });
    const taps = ['block1', 'hidden'];
    for (const tap of taps) {
      await writeNpy(path.join(folder, `${tap}.npy`), graph(0.05 * o.seed), [n, n]);
      await writeNpy(path.join(folder, `${tap}.teacher.npy`), graph(0), [n, n]);
      await writeNpy(
        path.join(folder, `${tap}.diff.npy`),
        graph(0).map((v, k) => Math.abs(v - (graph(0.05 * o.seed)[k] ?? 0))),
        [n, n],
      );
    }
    const snap: ProbeSnapshot = {
      epoch: e,
      labels,
      graph: 'cosine',
      taps: taps.map((tap, k) => ({
        tap,
        dim: 16,
        sigma1: 10 - k - e,
        sigma2: 5,
        sigma1Pairs: 0.01 * (3 - k) + 0.001 * o.seed,
        sparsity: 0,
        sqFrobenius: 0.01 * (k + 1),
        files: {
          graph: `probes/${path.basename(folder)}/${tap}.npy`,
          teacher: `probes/${path.basename(folder)}/${tap}.teacher.npy`,
          diff: `probes/${path.basename(folder)}/${tap}.diff.npy`,
        },
      })),
    };
    await writeJsonAtomic(path.join(folder, 'index.json'), snap);
  }
  const report: RunReport = {
    runId: id,
    kind: 'distill',
    method: o.method,
    testAcc: o.acc,
    bestTestAcc: o.acc,
    testLoss: 0.3,
    seconds: 60,
    parameters: 26_474,
    metrics: { acc: o.acc, ...(o.metrics ?? {}) },
    tables: [
      {
        id: 'confusion',
        title: 'Confusion matrix',
        columns: ['true \\ predicted', ...Array.from({ length: classes }, (_, c) => String(c))],
        rows: Array.from({ length: classes }, (_, r) => [
          String(r),
          ...Array.from({ length: classes }, (_, c) => (r === c ? 959 : 3)),
        ]),
      },
    ],
  };
  if ((o.state ?? 'completed') === 'completed') await writeJsonAtomic(path.join(dir, 'report.json'), report);
  return dir;
}
