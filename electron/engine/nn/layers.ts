import * as tf from '@tensorflow/tfjs-core';
import type { Collective } from '../replicas/index.js';
import { batchNormTraining } from './batch-norm.js';
import type { Init, ParamSet } from './params.js';

/** State threaded through one forward pass. */
export interface ForwardContext {
  /** Training mode: batch statistics in BatchNorm, running statistics updated. */
  training: boolean;
  /**
   * New BatchNorm running statistics computed in training mode, assigned by the trainer after the
   * step (outside the gradient tape). The tensors are kept alive with tf.keep.
   */
  bnUpdates: [tf.Variable, tf.Tensor][];
  /**
   * Replaces a tapped representation on its way downstream (e.g. test-time dropout on the ReLU
   * taps); the replaced value is also what the tap records.
   */
  transform?: (tap: string, value: tf.Tensor) => tf.Tensor;
  /**
   * Under data-parallel replicas: the input is this replica's shard of the batch, and BatchNorm
   * statistics are synchronised over the whole batch through these collectives.
   */
  replicas?: Collective;
}

/** Options of a 2-D convolution (NHWC, weights [kh, kw, in, out]). */
export interface ConvOptions {
  /** Input channels. */
  inC: number;
  /** Output channels. */
  outC: number;
  /** Square kernel size. */
  k: number;
  /** Stride (default 1). */
  stride?: number;
  /** Zero padding on each side, or 'same' (default: k // 2). */
  pad?: number | 'same' | 'valid';
  /** Add a bias (default true). */
  bias?: boolean;
  /** Weight initialisation (default PyTorch's). */
  init?: 'torch-default' | 'kaiming-normal-fan-out';
  /**
   * Multiplier of the stored weight in the forward pass (default 1). Parseval networks use
   * 1/√(2·k_h·k_w + 1): the stored weight is the one the Parseval retraction keeps near-orthonormal.
   */
  weightScale?: number;
}

/** A convolution layer. */
export function conv2d(ps: ParamSet, name: string, o: ConvOptions): (x: tf.Tensor4D) => tf.Tensor4D {
  const fanIn = o.inC * o.k * o.k;
  const wInit: Init =
    o.init === 'kaiming-normal-fan-out'
      ? { kind: 'kaiming-normal', fan: o.outC * o.k * o.k }
      : { kind: 'torch-default', fanIn };
  const w = ps.add(`${name}.weight`, [o.k, o.k, o.inC, o.outC], wInit);
  const b =
    o.bias === false
      ? undefined
      : ps.add(
          `${name}.bias`,
          [o.outC],
          o.init === 'kaiming-normal-fan-out' ? { kind: 'zeros' } : { kind: 'torch-default', fanIn },
        );
  const stride = o.stride ?? 1;
  const p = o.pad ?? Math.floor(o.k / 2);
  const pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] =
    typeof p === 'number'
      ? [
          [0, 0],
          [p, p],
          [p, p],
          [0, 0],
        ]
      : p;
  const scale = o.weightScale ?? 1;
  return (x) => {
    const kernel = scale === 1 ? (w as tf.Tensor4D) : tf.mul<tf.Tensor4D>(w, scale);
    const y = tf.conv2d(x, kernel, stride, pad);
    return b ? tf.add(y, b) : y;
  };
}

/** A fully connected layer on [B, in] inputs. */
export function dense(
  ps: ParamSet,
  name: string,
  inF: number,
  outF: number,
  init: 'torch-default' | 'zero-bias' = 'torch-default',
): (x: tf.Tensor2D) => tf.Tensor2D {
  const w = ps.add(`${name}.weight`, [inF, outF], { kind: 'torch-default', fanIn: inF });
  const b = ps.add(
    `${name}.bias`,
    [outF],
    init === 'zero-bias' ? { kind: 'zeros' } : { kind: 'torch-default', fanIn: inF },
  );
  return (x) => tf.add(tf.matMul(x, w as tf.Tensor2D), b);
}

/**
 * BatchNorm over the channel axis of NHWC (or the feature axis of [B, F]) with PyTorch semantics:
 * biased batch variance to normalise, unbiased variance into the running estimate, momentum 0.1.
 */
export function batchNorm(
  ps: ParamSet,
  name: string,
  channels: number,
  eps = 1e-5,
  momentum = 0.1,
): <T extends tf.Tensor>(x: T, ctx: ForwardContext) => T {
  const gamma = ps.add(`${name}.weight`, [channels], { kind: 'ones' });
  const beta = ps.add(`${name}.bias`, [channels], { kind: 'zeros' });
  const runMean = ps.addBuffer(`${name}.running_mean`, [channels], 0);
  const runVar = ps.addBuffer(`${name}.running_var`, [channels], 1);
  return <T extends tf.Tensor>(x: T, ctx: ForwardContext): T => {
    if (!ctx.training) return tf.batchNorm(x, runMean, runVar, beta, gamma, eps) as T;
    const { y, stats } = batchNormTraining(x, gamma, beta, eps, ctx.replicas);
    const unbiased = stats.count > 1 ? stats.count / (stats.count - 1) : 1;
    ctx.bnUpdates.push(
      [runMean, tf.keep(tf.add(tf.mul(runMean, 1 - momentum), tf.mul(stats.mean, momentum)))],
      [runVar, tf.keep(tf.add(tf.mul(runVar, 1 - momentum), tf.mul(stats.variance, momentum * unbiased)))],
    );
    tf.dispose([stats.mean, stats.variance]);
    return y;
  };
}

/** Flattens every axis but the first. */
export function flatten(x: tf.Tensor): tf.Tensor2D {
  const b = x.shape[0] ?? 0;
  return tf.reshape(x, [b, x.size / Math.max(b, 1)]);
}
