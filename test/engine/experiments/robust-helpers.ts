import path from 'node:path';
import { promises as fs } from 'node:fs';
import { DATASET_FORMAT_VERSION, type DatasetMeta } from '../../../shared/dataset-types.js';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import { writeJsonAtomic } from '../../../electron/common/atomic-file.js';
import { readNpy, writeNpy } from '../../../electron/common/npy-file.js';
import { Rng } from '../../../shared/rng.js';

/** A small robust run on the synthetic `squares` set: every evaluation item, tiny sizes. */
export function robustSpec(
  method: 'vanilla' | 'parseval' | 'laplacian' | 'parseval+laplacian',
): Extract<ExperimentSpecInput, { kind: 'robust' }> {
  return {
    kind: 'robust',
    method,
    dataset: 'squares',
    backend: 'wasm',
    model: { arch: 'ref-cnn', width: 0.25 },
    training: {
      epochs: 1,
      batchSize: 16,
      lr: 0.05,
      stepsPerEpoch: 5,
      schedule: { type: 'constant' },
      seed: 1,
    },
    probe: { perClass: 2, seed: 0, epochs: [0, 1] },
    probeTaps: 'relu',
    laplacian: { gamma: 0.01, m: 2, taps: 'relu', sigma: 'raw' },
    parseval: { beta: 0.01 },
    evaluation: {
      subset: 24,
      gaussian: { epsilons: [0.1, 0.4], sigma: 0.5, draws: 2 },
      fgsm: { epsilons: [0.05], snrDb: [20] },
      pgd: [{ epsilon: 0.05, step: 0.02, iterations: 3, randomStart: true }],
      deepfool: { steps: 10, candidates: 3, overshoot: 0.05, every: 2 },
      corruptions: { suite: 'auto', inApp: true },
      dropout: [0.25],
      dropoutDraws: 2,
      quantizationBits: [5],
      perturbedProfiles: true,
    },
  };
}

/**
 * Writes a corruption suite linked to `clean` in the store's layout: `noise` (5 severities of
 * growing uniform noise on the clean test images) and `blank` (1 severity of black images).
 */
export async function writeSyntheticSuite(dataDir: string, clean: string, id: string): Promise<void> {
  const src = path.join(dataDir, 'datasets', clean);
  const meta = JSON.parse(await fs.readFile(path.join(src, 'meta.json'), 'utf8')) as DatasetMeta;
  const x = (await readNpy(path.join(src, 'test-x.npy'))).data as Uint8Array;
  const y = (await readNpy(path.join(src, 'test-y.npy'))).data as Int32Array;
  const n = y.length;
  const per = x.length / n;
  const dir = path.join(dataDir, 'datasets', id);
  await fs.mkdir(dir, { recursive: true });
  const rng = new Rng(5);
  const noise = new Uint8Array(5 * n * per);
  for (let s = 0; s < 5; s++) {
    for (let i = 0; i < n * per; i++)
      noise[s * n * per + i] = Math.min(
        255,
        Math.max(0, x[i]! + Math.round((rng.uniform() - 0.5) * 80 * (s + 1))),
      );
  }
  await writeNpy(path.join(dir, 'noise.npy'), noise, [5 * n, ...meta.shape]);
  await writeNpy(path.join(dir, 'blank.npy'), new Uint8Array(n * per), [n, ...meta.shape]);
  await writeNpy(path.join(dir, 'test-y.npy'), y, [n]);
  const suite: DatasetMeta = {
    formatVersion: DATASET_FORMAT_VERSION,
    id,
    name: `${clean}-C`,
    kind: 'corruptions',
    source: { format: 'corruptions', path: 'test', importedAt: new Date().toISOString() },
    checksum: 'test',
    shape: meta.shape,
    classNames: meta.classNames,
    splits: {
      test: { count: n, countsPerClass: meta.splits.test!.countsPerClass, inputs: '', labels: 'test-y.npy' },
    },
    mean: meta.mean,
    std: meta.std,
    linkedTo: clean,
    corruptions: [
      { name: 'noise', severities: 5, file: 'noise.npy' },
      { name: 'blank', severities: 1, file: 'blank.npy' },
    ],
    bytes: 0,
  };
  await writeJsonAtomic(path.join(dir, 'meta.json'), suite);
}
