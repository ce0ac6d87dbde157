import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyParseval, parsevalRetraction } from '../../../electron/engine/methods/parseval.js';
import { Rng } from '../../../shared/rng.js';
import { useBackend } from '../../helpers/backend.js';

describe('Parseval retraction', () => {
  beforeAll(() => useBackend('cpu'));

  it('computes (1 + β)W − βWWᵀW on a hand-checkable matrix', () => {
    // PyTorch's W (out = 2, in = 2) = [[1, 1], [0, 2]]: WWᵀ = [[2, 2], [2, 4]],
    // WWᵀW = [[2, 6], [2, 10]]; with β = 0.5: 1.5W − 0.5WWᵀW = [[0.5, −1.5], [−1, −2]].
    // The lab stores dense weights as [in, out], i.e. Wᵀ = [[1, 0], [1, 2]].
    const wt = tf.tensor2d([
      [1, 0],
      [1, 2],
    ]);
    const next = parsevalRetraction(wt, 0.5);
    expect(Array.from(next.dataSync())).toEqual([0.5, -1, -1.5, -2]);
    tf.dispose([wt, next]);
  });

  it('reads a conv weight [kh, kw, in, out] as (out, −1), like PyTorch', () => {
    const rng = new Rng(3);
    const [kh, kw, cin, cout] = [2, 2, 3, 4];
    const data = rng.fillNormal(new Float32Array(kh * kw * cin * cout), 0.3);
    const w = tf.tensor4d(data, [kh, kw, cin, cout]);
    const next = parsevalRetraction(w, 0.1).dataSync();
    // PyTorch layout [out, in, kh, kw] flattened per output channel, in float64.
    const fan = kh * kw * cin;
    const torchRow = (o: number): number[] => {
      const row: number[] = [];
      for (let c = 0; c < cin; c++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) row.push(data[((i * kw + j) * cin + c) * cout + o]!);
      return row;
    };
    const W = Array.from({ length: cout }, (_, o) => torchRow(o));
    const G = W.map((a) => W.map((b) => a.reduce((s, v, k) => s + v * b[k]!, 0)));
    const GW = G.map((g) =>
      Array.from({ length: fan }, (_, k) => g.reduce((s, v, p) => s + v * W[p]![k]!, 0)),
    );
    const expected = W.map((row, o) => row.map((v, k) => 1.1 * v - 0.1 * GW[o]![k]!));
    for (let o = 0; o < cout; o++) {
      let k = 0;
      for (let c = 0; c < cin; c++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            expect(next[((i * kw + j) * cin + c) * cout + o]).toBeCloseTo(expected[o]![k++]!, 5);
          }
    }
    w.dispose();
  });

  it('repeated retraction drives WWᵀ towards the identity', () => {
    const rng = new Rng(7);
    const v = tf.variable(tf.tensor2d(rng.fillNormal(new Float32Array(9 * 4), 0.4), [9, 4]));
    const params = new Map([['fc.weight', v]]);
    const distance = (): number =>
      tf.tidy(() => {
        const g = tf.matMul(v, v, true, false); // WWᵀ of PyTorch's (out, in) reading
        return tf.max(tf.abs(tf.sub(g, tf.eye(4)))).dataSync()[0]!;
      });
    const before = distance();
    for (let i = 0; i < 300; i++) applyParseval(params, 0.1);
    const after = distance();
    expect(before).toBeGreaterThan(0.3);
    expect(after).toBeLessThan(1e-4);
    v.dispose();
  });

  it('leaves biases (one dimension) alone', () => {
    const b = tf.variable(tf.tensor1d([3, -2]));
    const before = tf.memory().numTensors;
    applyParseval(new Map([['fc.bias', b]]), 0.5);
    expect(Array.from(b.dataSync())).toEqual([3, -2]);
    expect(tf.memory().numTensors).toBe(before);
    b.dispose();
  });
});
