import type { ComparedRun } from '../../../shared/charts/index.js';
import type { RunDetail } from '../../../shared/contract.js';
import { PRESETS, presetSpec } from '../../../shared/presets.js';
import type { EpochRecord, ProbeSnapshot, RunReport, StepRecord } from '../../../shared/run-types.js';

export function epochRecord(
  epoch: number,
  acc: number,
  extra: Record<string, number> = {},
  steps = 10,
): EpochRecord {
  return {
    type: 'epoch',
    epoch,
    step: epoch * steps,
    lr: 0.05,
    seconds: 5,
    samplesPerSec: 1000,
    train: { loss: 1 / epoch, acc },
    test: { loss: 1.2 / epoch, acc, ...extra },
  };
}

export function stepRecords(epoch: number, steps = 10, every = 1): StepRecord[] {
  return Array.from({ length: steps / every }, (_, i) => ({
    type: 'step' as const,
    epoch,
    step: (epoch - 1) * steps + (i + 1) * every,
    lr: 0.05 * (1 - ((epoch - 1) * steps + i) / 1000),
    loss: 2 - i / steps,
    acc: i / steps,
    components: { ce: 2 - i / steps },
  }));
}

export function snapshot(
  epoch: number,
  sigmas: number[] = [0.5 - 0.1 * epoch, 0.4 - 0.1 * epoch],
): ProbeSnapshot {
  return {
    epoch,
    labels: [0, 0, 1, 1],
    graph: 'cosine',
    taps: sigmas.map((s, k) => ({
      tap: ['block1', 'block2', 'hidden'][k] ?? `t${k}`,
      dim: 10,
      sigma1: 4 - epoch - k,
      sigma2: 1,
      sigma1Pairs: s,
      sparsity: 0,
      files: { graph: `probes/e${epoch}/t${k}.npy`, teacher: `probes/e${epoch}/t${k}.teacher.npy` },
    })),
  };
}

/** A finished run of a study: one method × seed with its final metrics. */
export function comparedRun(
  id: string,
  o: {
    method?: string;
    seed?: number;
    study?: string;
    acc?: number;
    metrics?: Record<string, number>;
    epochs?: number;
    steps?: boolean;
    sigmas?: number[];
  } = {},
): ComparedRun {
  const epochs = o.epochs ?? 2;
  const acc = o.acc ?? 0.9;
  const spec = presetSpec(PRESETS.find((p) => p.id === 'mnist-gkd-quick') ?? PRESETS[0]!);
  const report: RunReport = {
    runId: id,
    kind: 'distill',
    method: o.method ?? 'gkd',
    testAcc: acc,
    bestTestAcc: acc,
    testLoss: 0.3,
    seconds: 60,
    parameters: 12345,
    metrics: { acc, ...(o.metrics ?? {}) },
    tables: [],
  };
  const detail: RunDetail = {
    summary: {
      id,
      name: `${o.study ?? 'study'} · ${o.method ?? 'gkd'} · seed ${o.seed ?? 0}`,
      kind: 'distill',
      method: o.method ?? 'gkd',
      dataset: 'mnist',
      model: 'CNN×0.25',
      seed: o.seed ?? 0,
      ...(o.study !== undefined ? { study: o.study } : { study: 'study' }),
      status: {
        id,
        state: 'completed',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
        epoch: epochs,
        totalEpochs: epochs,
      },
      seconds: 60,
    },
    spec: {
      ...spec,
      method: (o.method ?? 'gkd') as never,
      training: { ...spec.training, seed: o.seed ?? 0 },
    },
    report,
    path: `/lab/runs/${id}`,
  };
  const es = Array.from({ length: epochs }, (_, e) =>
    epochRecord(e + 1, acc - 0.01 * (epochs - e - 1), o.metrics ?? {}),
  );
  return {
    id,
    detail,
    epochs: es,
    steps: o.steps === false ? [] : Array.from({ length: epochs }, (_, e) => stepRecords(e + 1)).flat(),
    lastProbe: snapshot(epochs, o.sigmas),
  };
}
