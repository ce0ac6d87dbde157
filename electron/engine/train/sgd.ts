import * as tf from '@tensorflow/tfjs-core';
import { LAB_SGD_STEP, type SgdStepAttrs } from '../kernels/index.js';

/** SGD hyper-parameters (PyTorch semantics, dampening 0). */
export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * SGD with momentum / Nesterov and L2 weight decay added to the gradient, exactly as
 * torch.optim.SGD: g ← g + λw; b ← μb + g; step = nesterov ? g + μb : b; w ← w − lr·step.
 * Momentum buffers are named after the parameters so they checkpoint and resume.
 */
export class Sgd {
  /** Momentum buffers by parameter name. */
  readonly buffers = new Map<string, tf.Variable>();

  constructor(
    private readonly params: Map<string, tf.Variable>,
    private readonly o: SgdOptions,
  ) {
    if (o.momentum > 0) {
      for (const [name, p] of params) {
        const zeros = tf.zerosLike(p);
        this.buffers.set(name, tf.variable(zeros, false));
        zeros.dispose();
      }
    }
  }

  /**
   * Applies one step with gradients keyed by TF.js variable name, as tf.variableGrads returns them
   * (parameters without a gradient are skipped); disposes nothing it was given.
   */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    const { momentum, nesterov, weightDecay } = this.o;
    // On wasm, the lab's kernel does each parameter's update in one pass, bit-identical to the ops.
    const fused = tf.getBackend() === 'wasm' && tf.getKernel(LAB_SGD_STEP, 'wasm') !== undefined;
    const attrs: SgdStepAttrs = { weightDecay, momentum, lr, nesterov };
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g0 = grads[p.name];
        if (!g0) continue;
        const buf = this.buffers.get(name);
        if (fused && g0.dtype === 'float32') {
          const inputs: tf.NamedTensorMap = buf ? { w: p, g: g0, b: buf } : { w: p, g: g0 };
          const out = tf.engine().runKernel(LAB_SGD_STEP, inputs, { ...attrs }) as unknown as tf.Tensor[];
          p.assign(out[0] as tf.Tensor);
          if (buf) buf.assign(out[1] as tf.Tensor);
          continue;
        }
        const g = weightDecay > 0 ? tf.add(g0, tf.mul(p, weightDecay)) : g0;
        let update = g;
        if (buf) {
          const b = tf.add(tf.mul(buf, momentum), g);
          buf.assign(b);
          update = nesterov ? tf.add(g, tf.mul(b, momentum)) : b;
        }
        p.assign(tf.sub(p, tf.mul(update, lr)));
      }
    });
  }

  /** Frees the buffers. */
  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}
