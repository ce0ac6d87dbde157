import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { learningRate } from '../../../electron/engine/train/schedule.js';
import { Sgd } from '../../../electron/engine/train/sgd.js';
import { useBackend } from '../../helpers/backend.js';

/** torch.optim.SGD by hand, one scalar parameter. */
function torchSgd(
  w0: number,
  grads: number[],
  lr: number,
  m: number,
  wd: number,
  nesterov: boolean,
): number[] {
  let w = w0;
  let buf: number | undefined;
  const out: number[] = [];
  for (const g0 of grads) {
    const g = g0 + wd * w;
    buf = buf === undefined ? g : m * buf + g;
    w -= lr * (nesterov ? g + m * buf : buf);
    out.push(w);
  }
  return out;
}

describe('SGD', () => {
  beforeAll(() => useBackend('cpu'));

  it.each([false, true])('matches torch.optim.SGD with momentum, weight decay, nesterov=%s', (nesterov) => {
    const w = tf.variable(tf.scalar(1.5), true, `sgd-test-${String(nesterov)}`);
    const sgd = new Sgd(new Map([['w', w]]), { momentum: 0.9, nesterov, weightDecay: 0.01 });
    const grads = [0.3, -0.2, 0.5, 0.1];
    const want = torchSgd(1.5, grads, 0.1, 0.9, 0.01, nesterov);
    grads.forEach((g, i) => {
      const t = tf.scalar(g);
      sgd.step({ [w.name]: t }, 0.1);
      t.dispose();
      expect(w.dataSync()[0]).toBeCloseTo(want[i]!, 5);
    });
    sgd.dispose();
    w.dispose();
  });

  it('skips parameters without a gradient', () => {
    const w = tf.variable(tf.scalar(2), true, 'sgd-test-skip');
    const sgd = new Sgd(new Map([['w', w]]), { momentum: 0, nesterov: false, weightDecay: 0.5 });
    sgd.step({}, 0.1);
    expect(w.dataSync()[0]).toBe(2);
    sgd.dispose();
    w.dispose();
  });
});

describe('learning-rate schedules', () => {
  it('multi-step multiplies by gamma at each milestone epoch', () => {
    const s = { type: 'multistep' as const, milestones: [60, 120, 160], gamma: 0.2 };
    expect(learningRate(0.1, s, 59, 0, 10, 200)).toBeCloseTo(0.1, 12);
    expect(learningRate(0.1, s, 60, 0, 10, 200)).toBeCloseTo(0.02, 12);
    expect(learningRate(0.1, s, 160, 5, 10, 200)).toBeCloseTo(0.1 * 0.2 ** 3, 12);
  });

  it('cosine anneals per step from lr to minLr', () => {
    const s = { type: 'cosine' as const, minLr: 0.001 };
    expect(learningRate(0.1, s, 0, 0, 10, 2)).toBeCloseTo(0.1, 12);
    expect(learningRate(0.1, s, 1, 0, 10, 2)).toBeCloseTo(0.001 + 0.5 * 0.099, 12);
    expect(learningRate(0.1, s, 2, 0, 10, 2)).toBeCloseTo(0.001, 12);
  });
});
