import { expect, it } from 'vitest';
import { PARITY_CASES, PARITY_RTOL, runParityCase } from '../../../electron/engine/parity/index.js';
import { describeWebGpu, tf } from './helpers.js';

// The engine's parity suite (the one `gpu-check` runs): every model and every loss, values and
// gradients, on webgpu against cpu within PARITY_RTOL.
describeWebGpu('webgpu parity with cpu (models, losses, attack gradients)', () => {
  it.each(PARITY_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = tf.memory().numTensors;
    const r = await runParityCase(c, 'webgpu');
    expect(r.values).toBeGreaterThan(0);
    expect(r.worstError, JSON.stringify(r.worst)).toBeLessThanOrEqual(PARITY_RTOL);
    expect(r.ok).toBe(true);
    expect(tf.memory().numTensors - before, 'tensors leaked').toBe(0);
  });

  it('catches a wrong kernel: a result off by 1 % fails', async () => {
    const c = PARITY_CASES[0]!;
    const wrong = {
      ...c,
      make: () => {
        const inner = c.make();
        return {
          ...inner,
          run: (t: Record<string, tf.Tensor>) =>
            inner.run(t).map((x, i) => (i === 0 && tf.getBackend() === 'webgpu' ? tf.mul(x, 1.01) : x)),
        };
      },
    };
    const r = await runParityCase(wrong, 'webgpu');
    expect(r.ok).toBe(false);
    expect(r.worst?.output).toBe(0);
  });
});
