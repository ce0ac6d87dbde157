import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LggOptionsSchema } from '../../../shared/lgg-options.js';
import { writeNpy } from '../../../electron/common/npy-file.js';
import { analyze } from '../../../electron/engine/jobs/analyze.js';
import { useBackend } from '../../helpers/backend.js';
import { LGG_FIXTURES, referenceCases, relErr } from '../../helpers/fixtures.js';
import { tempDataDir } from '../../helpers/runs.js';

describe('analyze job (in the engine process)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    await useBackend('cpu');
    tmp = await tempDataDir();
  });
  afterAll(() => tmp.cleanup());

  it('builds every graph in a tidy: teacher kNN masks reused, nothing left on the backend', async () => {
    const c = referenceCases().knn5_sym!;
    const dir = path.join(LGG_FIXTURES, 'knn5_sym');
    const before = tf.memory().numTensors;
    const r = await analyze({
      type: 'analyze',
      layers: c.layers.map((l) => path.join(dir, l.file)),
      teacherLayers: c.teacher_layers.map((l) => path.join(dir, l.file)),
      labels: path.join(dir, 'labels.npy'),
      lgg: LggOptionsSchema.parse({ k: c.options.k, maskSource: 'teacher' }),
      gkd: { weight: c.gkd.weight, reduction: c.gkd.reduction },
    });
    expect(tf.memory().numTensors).toBe(before);
    c.gkd.per_pair_sq_frobenius.forEach((v, i) => expect(relErr(r.gkd!.perPair[i]!, v)).toBeLessThan(1e-4));
  });

  it('accepts a batch of a single class (σ = 0)', async () => {
    const labels = path.join(tmp.dir, 'one-class.npy');
    const layer = path.join(tmp.dir, 'layer.npy');
    await writeNpy(labels, Int32Array.from([0, 0, 0]), [3]);
    await writeNpy(layer, Float32Array.from([1, 2, 3, 4, 5, 7]), [3, 2]);
    const r = await analyze({
      type: 'analyze',
      layers: [layer],
      labels,
      lgg: LggOptionsSchema.parse({}),
      gkd: { weight: 25, reduction: 'sum' },
    });
    expect(r.classes).toBe(1);
    expect(r.layers[0]!.sigma).toEqual({ m1: 0, m2: 0 });
  });

  it('refuses a labels file with fewer than two labels with a clear code', async () => {
    const labels = path.join(tmp.dir, 'empty-labels.npy');
    await writeNpy(labels, new Int32Array(0), [0]);
    await expect(
      analyze({
        type: 'analyze',
        layers: [path.join(LGG_FIXTURES, 'dense_sym', 'layer0.npy')],
        labels,
        lgg: LggOptionsSchema.parse({}),
        gkd: { weight: 25, reduction: 'sum' },
      }),
    ).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/at least 2/) });
  });
});
