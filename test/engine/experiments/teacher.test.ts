import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { detachedAll, loadTeacher, teacherFolder } from '../../../electron/engine/experiments/teacher.js';
import { createModel } from '../../../electron/engine/models/registry.js';
import { saveCheckpoint } from '../../../electron/engine/train/checkpoint.js';
import { useBackend } from '../../helpers/backend.js';
import { tempDataDir } from '../../helpers/runs.js';

describe('teacher helpers', () => {
  beforeAll(() => useBackend('cpu'));

  it('detachedAll returns every tensor with its shape and lets no gradient through', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const { shapes, values, grad } = tf.tidy(() => {
      const outs = detachedAll(x, (v) => [tf.mul(v, 3), tf.sum(v, 1), tf.topk(v, 1).indices]);
      // d/dx [Σ x + Σ detached(3x)] = 1: the detached branch contributes nothing (TopK included).
      const g = tf.grad((v: tf.Tensor) =>
        tf.add(tf.sum(v), tf.sum(detachedAll(v, (w) => [tf.mul(w, 3), tf.topk(w, 2).values])[0]!)),
      )(x);
      return {
        shapes: outs.map((o) => o.shape),
        values: outs.map((o) => Array.from(o.dataSync())),
        grad: Array.from(g.dataSync()),
      };
    });
    expect(shapes).toEqual([[2, 3], [2], [2, 1]]);
    expect(values).toEqual([
      [3, 6, 9, 12, 15, 18],
      [6, 15],
      [2, 2],
    ]);
    expect(grad).toEqual([1, 1, 1, 1, 1, 1]);
    x.dispose();
  });

  it('resolves run ids under the data folder and checkpoint paths relative to it', () => {
    expect(teacherFolder({ run: 'abc' }, '/lab')).toBe(path.join('/lab', 'runs', 'abc'));
    expect(teacherFolder({ checkpoint: 'runs/x/checkpoints/e0001-s5' }, '/lab')).toBe(
      '/lab/runs/x/checkpoints/e0001-s5',
    );
    expect(teacherFolder({ checkpoint: '/elsewhere/ckpt' }, '/lab')).toBe('/elsewhere/ckpt');
  });

  it('a teacher saved as a Parseval network is rebuilt as one (the checkpoint records the variant)', async () => {
    const data = await tempDataDir();
    const spec = { arch: 'preact-resnet18' as const, width: 1 / 32, parseval: true };
    const model = createModel(spec, [8, 8, 3], 4, 3);
    try {
      await saveCheckpoint(data.dir, model, undefined, {
        model: spec,
        inputShape: [8, 8, 3],
        outputDim: 4,
        classes: 4,
        normalization: null,
        state: { epoch: 1, step: 1, stepInEpoch: 0, seconds: 0 },
      });
      const teacher = await loadTeacher(
        { checkpoint: data.dir },
        { dataDir: data.dir, inputShape: [8, 8, 3], classes: 4, normalization: null },
      );
      const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1);
      const [a, b] = tf.tidy(() =>
        [model, teacher.model].map((m) =>
          Array.from(m.forward(x, { training: false, bnUpdates: [] }).output.dataSync()),
        ),
      );
      expect(teacher.model.description).toContain('Parseval');
      expect(b).toEqual(a);
      x.dispose();
      teacher.model.params.dispose();
    } finally {
      model.params.dispose();
      await data.cleanup();
    }
  });
});
