import * as tf from '@tensorflow/tfjs-core';
import type { Model, TapKind } from '../models/model.js';
import { tapsOfKind } from '../models/model.js';
import { Rng, Stream } from '../../../shared/rng.js';
import { readTidy } from '../nn/read.js';
import { batchRunner, columnSums } from '../train/batch-loop.js';
import { correctCount } from '../train/losses.js';
import { inputNormalizer, type Classifier, type EvalIo, type EvalSet } from './eval-set.js';

/** Where test-time dropout acts: `blocks` (the authors': block outputs) or `relus` (every ReLU output). */
export type DropoutSites = 'blocks' | 'relus';

/** The tap kind of each dropout site. */
const SITE_KIND: Record<DropoutSites, TapKind> = { blocks: 'block', relus: 'relu' };

/** A keep mask (1 = kept, 0 = dropped) of the given shape, for the named tap. */
export type KeepMask = (tap: string, shape: readonly number[], keep: number) => tf.Tensor;

/** Keep masks from seeded uniform draws: each unit kept with probability `keep`, independently. */
export function randomKeepMask(rng: Rng): KeepMask {
  return (_tap, shape, keep) =>
    tf.cast(tf.less(tf.randomUniform([...shape], 0, 1, 'float32', rng.nextU32()), keep), 'float32');
}

/**
 * The model in inference mode with inverted dropout on the taps of `sites`: each unit of a site's
 * output is zeroed where the keep mask is 0 and the survivors are scaled by 1/(1 − rate), through
 * the forward context's tap transform — the dropped value is what the rest of the network sees.
 * `perturbed` counts the taps transformed so far.
 */
export function dropoutClassifier(
  model: Model,
  normalization: { mean: number[]; std: number[] } | null,
  rate: number,
  sites: DropoutSites,
  mask: KeepMask,
): Classifier & { perturbed: () => number } {
  const normalize = inputNormalizer(normalization);
  const { transform, perturbed } = dropoutTransform(new Set(tapsOfKind(model, SITE_KIND[sites])), rate, mask);
  const classify = (x: tf.Tensor): tf.Tensor2D =>
    model.forward(normalize(x), { training: false, bnUpdates: [], transform }).output;
  return Object.assign(classify, { perturbed });
}

/** The tap transform of {@link dropoutClassifier}: inverted dropout on the named taps. */
export function dropoutTransform(
  taps: ReadonlySet<string>,
  rate: number,
  mask: KeepMask,
): { transform: (tap: string, v: tf.Tensor) => tf.Tensor; perturbed: () => number } {
  const keep = 1 - rate;
  let count = 0;
  return {
    transform: (tap, v) => {
      if (!taps.has(tap)) return v;
      count++;
      return tf.mul(v, tf.mul(mask(tap, v.shape, keep), 1 / keep));
    },
    perturbed: () => count,
  };
}

/** One row of the dropout table. */
export interface DropoutRow {
  /** Where it acted. */
  sites: DropoutSites;
  /** Dropout probability. */
  rate: number;
  /** Outputs perturbed per forward pass. */
  perturbed: number;
  /** Draws averaged. */
  draws: number;
  /** Mean accuracy over the draws. */
  accuracy: number;
}

/**
 * Accuracy with test-time dropout at the given sites, for each rate, averaged over `draws`
 * independent seeded draws of the masks (each draw a full pass over the set). Every rate is
 * evaluated on its own: the authors' script does not reset its counters between p = 0.25 and 0.4,
 * so its "0.4" figure is the mean of both rates — not reproduced here.
 */
export async function dropoutEvaluation(
  set: EvalSet,
  model: Model,
  normalization: { mean: number[]; std: number[] } | null,
  o: { rates: readonly number[]; sites: DropoutSites; draws: number },
  seed: number,
  io: EvalIo,
  batchSize: number,
): Promise<DropoutRow[]> {
  const rows: DropoutRow[] = [];
  const batches = Math.ceil(set.n / batchSize);
  const per = set.shape.reduce((a, b) => a * b, 1);
  const siteKey = o.sites === 'blocks' ? 1 : 0;
  for (const [k, rate] of o.rates.entries()) {
    let acc = 0;
    let perturbed = 0;
    for (let d = 0; d < o.draws; d++) {
      const label = `dropout (${o.sites}) p=${rate}${o.draws > 1 ? ` (draw ${d + 1}/${o.draws})` : ''}`;
      // Each batch draws its masks from its own seeded stream: any replica may evaluate any batch.
      const r = await batchRunner(io).run(batches, 2, async (b) => {
        const s = b * batchSize;
        const e = Math.min(set.n, s + batchSize);
        io.progress(`${label}: ${s}/${set.n}`);
        const rng = new Rng(seed, Stream.noise, 0xd0, k, siteKey, d, b);
        const classifier = dropoutClassifier(model, normalization, rate, o.sites, randomKeepMask(rng));
        const [correct = 0] = await readTidy(() => {
          const x = tf.tensor(set.x.subarray(s * per, e * per), [e - s, ...set.shape], 'float32');
          return correctCount(classifier(x), tf.tensor1d(set.labels.subarray(s, e), 'int32')).reshape([1]);
        });
        return [correct, classifier.perturbed()];
      });
      if (r.stopped) return rows;
      const [correct = 0, count = 0] = columnSums(r.values, 2);
      acc += correct / Math.max(1, set.n);
      perturbed = Math.round(count / Math.max(1, batches));
    }
    rows.push({ sites: o.sites, rate, perturbed, draws: o.draws, accuracy: acc / o.draws });
  }
  return rows;
}
