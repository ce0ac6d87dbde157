import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../shared/rng.js';

/** How a parameter is initialised. */
export type Init =
  /** PyTorch's default for Conv2d/Linear weights and biases: U(−1/√fanIn, 1/√fanIn). */
  | { kind: 'torch-default'; fanIn: number }
  /** He normal with the given fan (fan_out and ReLU gain, the WideResNet convention). */
  | { kind: 'kaiming-normal'; fan: number }
  | { kind: 'zeros' }
  | { kind: 'ones' };

let instances = 0;

/**
 * The named parameters (trainable) and buffers (non-trainable state such as BatchNorm running
 * statistics) of one model. Names are local (`conv1.weight`); tf variable names get a per-instance
 * prefix because TF.js variable names are global.
 */
export class ParamSet {
  /** Trainable parameters in creation order. */
  readonly trainable = new Map<string, tf.Variable>();
  /** Non-trainable buffers in creation order. */
  readonly buffers = new Map<string, tf.Variable>();
  private readonly prefix: string;
  private readonly rng: Rng;

  constructor(seed: number) {
    this.prefix = `m${instances++}/`;
    this.rng = new Rng(seed, 0x1417);
  }

  /** Creates and registers a trainable parameter. */
  add(name: string, shape: number[], init: Init): tf.Variable {
    if (this.trainable.has(name) || this.buffers.has(name)) throw new Error(`duplicate parameter ${name}`);
    const initial = this.initial(shape, init);
    const v = tf.variable(initial, true, this.prefix + name);
    initial.dispose();
    this.trainable.set(name, v);
    return v;
  }

  /** Creates and registers a non-trainable buffer filled with `value`. */
  addBuffer(name: string, shape: number[], value: number): tf.Variable {
    if (this.trainable.has(name) || this.buffers.has(name)) throw new Error(`duplicate buffer ${name}`);
    const initial = tf.fill(shape, value);
    const v = tf.variable(initial, false, this.prefix + name);
    initial.dispose();
    this.buffers.set(name, v);
    return v;
  }

  /** Number of trainable scalars. */
  count(): number {
    let n = 0;
    for (const v of this.trainable.values()) n += v.size;
    return n;
  }

  /** Every parameter then every buffer, as [local name, variable]. */
  entries(): [string, tf.Variable][] {
    return [...this.trainable.entries(), ...this.buffers.entries()];
  }

  /** Frees every variable. */
  dispose(): void {
    for (const v of this.trainable.values()) v.dispose();
    for (const v of this.buffers.values()) v.dispose();
    this.trainable.clear();
    this.buffers.clear();
  }

  private initial(shape: number[], init: Init): tf.Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    switch (init.kind) {
      case 'zeros':
        break;
      case 'ones':
        data.fill(1);
        break;
      case 'torch-default': {
        const bound = 1 / Math.sqrt(init.fanIn);
        this.rng.fillUniform(data, -bound, bound);
        break;
      }
      case 'kaiming-normal':
        this.rng.fillNormal(data, Math.sqrt(2 / init.fan));
        break;
    }
    return tf.tensor(data, shape, 'float32');
  }
}
