import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from '../nn/layers.js';
import type { ParamSet } from '../nn/params.js';
import { tapNamesOfKind, type TapInfo, type TapKind } from '../../../shared/spec/model-taps.js';

export type { TapInfo, TapKind };

/** Result of a forward pass. */
export interface ForwardResult {
  /** [B, outputDim]: logits for classifiers, the embedding for geometry heads. */
  output: tf.Tensor2D;
  /** The requested taps, by name (unflattened; flatten with nn/layers `flatten`). */
  taps: Map<string, tf.Tensor>;
}

/** A network of the lab. */
export interface Model {
  /** Architecture id and readable description, e.g. `WRN-28-1`. */
  readonly description: string;
  /** Input shape [H, W, C] (or [F] for tabular inputs). */
  readonly inputShape: readonly number[];
  /** Width of the output. */
  readonly outputDim: number;
  /** Parameters and buffers. */
  readonly params: ParamSet;
  /** Every tap, input side first. */
  readonly taps: readonly TapInfo[];
  /** Runs the network; taps listed in `want` are returned (all taps when `want` is 'all'). */
  forward(x: tf.Tensor, ctx: ForwardContext, want?: ReadonlySet<string> | 'all'): ForwardResult;
}

/** Tap names of a kind, in order. */
export function tapsOfKind(model: Model, kind: TapKind): string[] {
  return tapNamesOfKind(model, kind);
}

/**
 * Records a tap when wanted. `tap` returns the value the network must use downstream: the
 * representation itself, or what the forward context's `transform` replaced it with.
 */
export function tapper(
  want: ReadonlySet<string> | 'all' | undefined,
  ctx?: ForwardContext,
): {
  taps: Map<string, tf.Tensor>;
  tap: <T extends tf.Tensor>(name: string, t: T) => T;
} {
  const taps = new Map<string, tf.Tensor>();
  return {
    taps,
    tap: (name, t) => {
      const v = ctx?.transform ? (ctx.transform(name, t) as typeof t) : t;
      if (want === 'all' || want?.has(name)) taps.set(name, v);
      return v;
    },
  };
}
