import { describe, expect, it } from 'vitest';
import { LAB_SGD_STEP } from '../../../electron/engine/kernels/index.js';
import { sgdStepConfig } from '../../../electron/engine/kernels/sgd-step.js';
import { Sgd, type SgdOptions } from '../../../electron/engine/train/sgd.js';
import { labKernels, pseudoRandom, tf } from './helpers.js';

/** Three steps of Sgd on wasm from fixed values; the parameters and buffers after each step. */
function steps(o: SgdOptions, shapes: number[][]): Float32Array[] {
  const params = new Map(
    shapes.map((s, i) => {
      const size = s.reduce((a, b) => a * b, 1);
      const init = tf.tensor(pseudoRandom(size, 11 + i), s);
      const v = tf.variable(init, true, `sgd-p${i}`);
      init.dispose();
      return [`p${i}`, v] as const;
    }),
  );
  const sgd = new Sgd(params, o);
  const out: Float32Array[] = [];
  try {
    for (let k = 0; k < 3; k++) {
      const grads = Object.fromEntries(
        [...params.values()].map((p, i) => [
          p.name,
          tf.tensor(pseudoRandom(p.size, 100 * k + i, 3), p.shape),
        ]),
      );
      sgd.step(grads, 0.05 + 0.01 * k);
      tf.dispose(Object.values(grads));
      for (const p of params.values()) out.push(p.dataSync() as Float32Array);
      for (const b of sgd.buffers.values()) out.push(b.dataSync() as Float32Array);
    }
  } finally {
    sgd.dispose();
    for (const p of params.values()) p.dispose();
  }
  return out;
}

describe('the fused SGD update (LabSgdStep)', () => {
  const shapes = [[7], [3, 5], [1027], [4, 4, 3, 8]];

  it('is what Sgd runs on wasm: one kernel per parameter', async () => {
    await tf.setBackend('wasm');
    const p = tf.variable(tf.zeros([5]), true, 'sgd-profiled');
    const sgd = new Sgd(new Map([['p', p]]), { momentum: 0.9, nesterov: false, weightDecay: 5e-4 });
    const g = tf.ones([5]);
    const info = await tf.profile(() => sgd.step({ [p.name]: g }, 0.1));
    expect(info.kernelNames).toEqual([LAB_SGD_STEP]);
    expect(Array.from(p.dataSync())).toEqual(new Array(5).fill(Math.fround(-0.1)));
    tf.dispose([p, g]);
    sgd.dispose();
  });

  for (const o of [
    { momentum: 0.9, nesterov: false, weightDecay: 5e-4 },
    { momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
    { momentum: 0.5, nesterov: false, weightDecay: 0 },
    { momentum: 0, nesterov: false, weightDecay: 5e-4 },
  ] satisfies SgdOptions[]) {
    it(`is bit-identical to the TF.js ops: momentum ${o.momentum}, nesterov ${o.nesterov}, weight decay ${o.weightDecay}`, async () => {
      await tf.setBackend('wasm');
      expect(labKernels).toContain(LAB_SGD_STEP);
      const before = tf.memory().numTensors;
      const fused = steps(o, shapes);
      tf.unregisterKernel(LAB_SGD_STEP, 'wasm');
      let ops: Float32Array[];
      try {
        ops = steps(o, shapes);
      } finally {
        tf.registerKernel(sgdStepConfig);
      }
      expect(tf.memory().numTensors).toBe(before);
      expect(fused.length).toBe(ops.length);
      fused.forEach((f, i) => expect(Buffer.from(f.buffer).equals(Buffer.from(ops[i]!.buffer))).toBe(true));
      // The update moved every parameter.
      expect(fused[0]!.some((v, i) => v !== pseudoRandom(7, 11)[i])).toBe(true);
    });
  }
});
