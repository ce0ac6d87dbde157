import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { detachedAll, teacherFolder } from '../../../electron/engine/experiments/teacher.js';
import { useBackend } from '../../helpers/backend.js';

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
});
