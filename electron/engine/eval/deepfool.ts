import * as tf from '@tensorflow/tfjs-core';
import type { DeepFool } from '../../../shared/spec/evaluation.js';
import { readAllTidy, readTidy } from '../nn/read.js';
import type { Bounds, Classifier, EvalIo, EvalSet } from './eval-set.js';
import { batchRunner } from '../train/batch-loop.js';

/** Per-example outcome of {@link deepFoolAttack}. */
export interface DeepFoolOutcome {
  /** Classified correctly to begin with (only those are attacked, as in the authors' script). */
  clean: boolean;
  /** An adversarial point was found (always false for `clean` = false). */
  broken: boolean;
  /** ‖x̃ − x‖₂ of the adversarial point (0 when not broken or not attacked). */
  l2: number;
  /** Linearisation steps taken (0 when not attacked). */
  steps: number;
}

/** Rows of a flat [b, d] array, one Float32Array per example. */
function rows(a: Float32Array, b: number): Float32Array[] {
  const d = a.length / Math.max(1, b);
  return Array.from({ length: b }, (_, i) => a.subarray(i * d, (i + 1) * d));
}

/** Rows (examples × candidate ranks) per gradient call: bounds the memory of one backward pass. */
const MAX_ROWS = 256;

/**
 * Logits of a batch x [b, …] and the gradient of every candidate rank's logit: `cls[r·b + i]` is
 * the class of rank r for example i; returns logits [b·C] and grads[r] = ∂ logit(cls[r·b + i]) / ∂ xᵢ
 * as flat [b·d] arrays. Several ranks share one forward and backward pass by tiling the examples
 * (independent in inference mode, so the gradient of the sum is per row), at most {@link MAX_ROWS}
 * rows per pass.
 */
async function candidateGradients(
  classifier: Classifier,
  x: Float32Array,
  shape: readonly number[],
  cls: Int32Array,
  ranks: number,
): Promise<{ logits: Float32Array; grads: Float32Array[] }> {
  const d = shape.reduce((a, v) => a * v, 1);
  const b = x.length / d;
  const grads = Array.from({ length: ranks }, () => new Float32Array(b * d));
  let logits = new Float32Array(0);
  for (let e0 = 0; e0 < b; e0 += MAX_ROWS) {
    const m = Math.min(MAX_ROWS, b - e0);
    const perCall = Math.max(1, Math.floor(MAX_ROWS / m));
    for (let r0 = 0; r0 < ranks; r0 += perCall) {
      const n = Math.min(perCall, ranks - r0);
      const rowCls = new Int32Array(n * m);
      for (let j = 0; j < n; j++) rowCls.set(cls.subarray((r0 + j) * b + e0, (r0 + j) * b + e0 + m), j * m);
      const [flat = new Float32Array(0), zl] = await readAllTidy(() => {
        const xe = tf.tensor(x.subarray(e0 * d, (e0 + m) * d), [m, ...shape], 'float32');
        const tiled = n === 1 ? xe : tf.tile(xe, [n, ...shape.map(() => 1)]);
        let z: tf.Tensor | undefined;
        const g = tf.grad((xi: tf.Tensor) => {
          const l = classifier(xi);
          const c = l.shape[1] ?? 1;
          if (r0 === 0) z = tf.keep(tf.slice(l, [0, 0], [m, c]));
          return tf.sum(tf.mul(l, tf.oneHot(tf.tensor1d(rowCls, 'int32'), c)));
        })(tiled);
        // The kept logits join the tidy's result, so they are freed with it after the read.
        return z ? [g, z] : [g];
      });
      for (let j = 0; j < n; j++) grads[r0 + j]?.set(flat.subarray(j * m * d, (j + 1) * m * d), e0 * d);
      if (zl) {
        if (logits.length === 0) logits = new Float32Array(b * (zl.length / m));
        logits.set(zl, e0 * (zl.length / m));
      }
    }
  }
  return { logits, grads };
}

/**
 * DeepFool L2 (Moosavi-Dezfooli et al. 2016) with Foolbox 1.6's `DeepFoolAttack` defaults, batched
 * over independent examples. For each correctly classified example (label y), at most `steps` times:
 * if the current point is misclassified, stop (adversarial); else, over the `candidates` most likely
 * classes of the clean image whose logit is below y's, fₖ = zₖ − z_y and wₖ = ∇(zₖ − z_y), take the k
 * minimising |fₖ| / (‖wₖ‖ + 1e-8) and step by (1 + overshoot) · |fₖ| / (‖wₖ‖ + 1e-8)² · wₖ, then clip
 * to the bounds. After the last step the point is checked once more. (Foolbox writes fₖ with
 * log-probabilities; their differences equal the logits' differences, so the steps are the same.)
 * The logits and every candidate's gradient come from one tiled forward and backward pass over the
 * still-active examples per step.
 */
export async function deepFoolAttack(
  classifier: Classifier,
  pixels: Float32Array,
  labels: Int32Array,
  shape: readonly number[],
  cfg: DeepFool,
  bounds: Bounds,
  io?: EvalIo,
): Promise<DeepFoolOutcome[]> {
  const b = labels.length;
  const d = pixels.length / Math.max(1, b);
  const logitsOf = async (data: Float32Array, n: number): Promise<Float32Array> => {
    const parts: tf.TypedArray[] = [];
    for (let s = 0; s < n; s += MAX_ROWS) {
      const e = Math.min(n, s + MAX_ROWS);
      parts.push(
        await readTidy(() =>
          classifier(tf.tensor(data.subarray(s * d, e * d), [e - s, ...shape], 'float32')),
        ),
      );
    }
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const clean = await logitsOf(pixels, b);
  const classes = clean.length / Math.max(1, b);
  const k = Math.min(cfg.candidates, classes);
  const argmax = (z: Float32Array): number =>
    z.reduce((best, v, j) => (v > (z[best] ?? -Infinity) ? j : best), 0);
  const out: DeepFoolOutcome[] = [];
  const candidates: number[][] = [];
  rows(clean, b).forEach((z, i) => {
    const ok = argmax(z) === labels[i];
    out.push({ clean: ok, broken: false, l2: 0, steps: 0 });
    candidates.push(
      Array.from(z, (v, j) => [v, j] as const)
        .sort((p, q) => q[0] - p[0] || p[1] - q[1])
        .slice(0, k)
        .map(([, j]) => j),
    );
  });
  const current = Float32Array.from(pixels);
  let active = out.flatMap((o, i) => (o.clean ? [i] : []));
  const gather = (idx: number[]): Float32Array => {
    const a = new Float32Array(idx.length * d);
    idx.forEach((i, r) => a.set(current.subarray(i * d, (i + 1) * d), r * d));
    return a;
  };
  const adversarial = (logits: Float32Array, i: number): boolean => argmax(logits) !== labels[i];
  const finish = (i: number): void => {
    const o = out[i];
    if (!o) return;
    o.broken = true;
    let s = 0;
    for (let j = 0; j < d; j++) s += ((current[i * d + j] ?? 0) - (pixels[i * d + j] ?? 0)) ** 2;
    o.l2 = Math.sqrt(s);
  };
  for (let step = 0; step < cfg.steps && active.length > 0; step++) {
    if (io?.cancelled()) return out;
    io?.progress(`DeepFool step ${step + 1}: ${active.length} of ${b} examples not yet broken`);
    // One pass gives the logits of the current points and the gradient of every candidate's logit
    // (rank 0 is the label: every active example is still classified correctly).
    const cls = new Int32Array(k * active.length);
    for (let rank = 0; rank < k; rank++)
      active.forEach((i, r) => (cls[rank * active.length + r] = candidates[i]?.[rank] ?? 0));
    const pass = await candidateGradients(classifier, gather(active), shape, cls, k);
    const logits = rows(pass.logits, active.length);
    const grads = pass.grads.map((g) => rows(g, active.length));
    const still: number[] = [];
    active.forEach((i, r) => {
      const z = logits[r] ?? new Float32Array();
      // Foolbox checks the current point first: an adversarial one ends the attack.
      if (adversarial(z, i)) {
        finish(i);
        return;
      }
      still.push(i);
      const y = labels[i] ?? 0;
      const gy = grads[candidates[i]?.indexOf(y) ?? 0]?.[r];
      if (!gy) return;
      let best: { dist: number; f: number; w: Float32Array } | undefined;
      candidates[i]?.forEach((c, rank) => {
        if (!((z[c] ?? 0) < (z[y] ?? 0))) return;
        const gk = grads[rank]?.[r];
        if (!gk) return;
        const w = new Float32Array(d);
        let norm = 0;
        for (let j = 0; j < d; j++) {
          w[j] = (gk[j] ?? 0) - (gy[j] ?? 0);
          norm += (w[j] ?? 0) ** 2;
        }
        const f = Math.abs((z[c] ?? 0) - (z[y] ?? 0));
        const dist = f / (Math.sqrt(norm) + 1e-8);
        if (!best || dist < best.dist) best = { dist, f, w };
      });
      const o = out[i];
      if (!best || !o) return;
      o.steps = step + 1;
      const denom = (Math.sqrt(best.w.reduce((a, v) => a + v * v, 0)) + 1e-8) ** 2;
      const scale = ((1 + cfg.overshoot) * best.f) / denom;
      for (let j = 0; j < d; j++) {
        let v = (current[i * d + j] ?? 0) + scale * (best.w[j] ?? 0);
        if (bounds) v = Math.min(bounds.hi, Math.max(bounds.lo, v));
        current[i * d + j] = v;
      }
    });
    active = still;
  }
  // Foolbox checks the point reached after the last step once more.
  if (active.length > 0) {
    const logits = rows(await logitsOf(gather(active), active.length), active.length);
    active.forEach((i, r) => {
      if (adversarial(logits[r] ?? new Float32Array(), i)) finish(i);
    });
  }
  return out;
}

/** The DeepFool table's numbers. */
export interface DeepFoolRow {
  /** Examples attacked or counted (every `every`-th of the evaluation set). */
  examples: number;
  /** Fraction correctly classified and never broken. */
  accuracy: number;
  /** Fraction correctly classified before the attack. */
  clean: number;
  /**
   * Mean of ‖x̃ − x‖₂ / D over the examples misclassified to begin with (0) and those broken, D the
   * input size (3072 on CIFAR-10): the authors' figure.
   */
  meanL2PerDim: number;
  /** Median ‖x̃ − x‖₂ over the broken examples (NaN when none). */
  medianL2: number;
  /** Mean linearisation steps of the broken examples. */
  meanSteps: number;
}

/** Examples attacked together: the unit of work a replica claims. */
export const DEEPFOOL_CHUNK = 100;

/** DeepFool accuracy and mean L2 on every `cfg.every`-th example of the set. */
export async function deepFoolEvaluation(
  set: EvalSet,
  classifier: Classifier,
  cfg: DeepFool,
  io: EvalIo,
): Promise<DeepFoolRow | undefined> {
  const per = set.shape.reduce((a, b) => a * b, 1);
  const picked = Array.from({ length: Math.ceil(set.n / cfg.every) }, (_, i) => i * cfg.every);
  // Chunks of examples attacked together (those that need many steps share their passes); each
  // chunk's outcomes are 4 numbers per example, padded to the loop's width.
  const r = await batchRunner(io).run(
    Math.ceil(picked.length / DEEPFOOL_CHUNK),
    4 * DEEPFOOL_CHUNK,
    async (c) => {
      const chunk = picked.slice(c * DEEPFOOL_CHUNK, (c + 1) * DEEPFOOL_CHUNK);
      const pixels = new Float32Array(chunk.length * per);
      chunk.forEach((i, r) => pixels.set(set.x.subarray(i * per, (i + 1) * per), r * per));
      const labels = Int32Array.from(chunk, (i) => set.labels[i] ?? 0);
      const got = await deepFoolAttack(classifier, pixels, labels, set.shape, cfg, set.bounds, io);
      const row = new Float64Array(4 * DEEPFOOL_CHUNK);
      got.forEach((o, i) => row.set([o.clean ? 1 : 0, o.broken ? 1 : 0, o.l2, o.steps], 4 * i));
      return row;
    },
  );
  if (r.stopped) return undefined;
  const outcomes = picked.map((_, i) => ({
    clean: r.values[4 * i] === 1,
    broken: r.values[4 * i + 1] === 1,
    l2: r.values[4 * i + 2] ?? 0,
    steps: r.values[4 * i + 3] ?? 0,
  }));
  const n = Math.max(1, outcomes.length);
  const broken = outcomes.filter((o) => o.broken);
  const counted = outcomes.filter((o) => !o.clean || o.broken);
  const l2s = broken.map((o) => o.l2).sort((a, b) => a - b);
  const mid = l2s.length / 2;
  return {
    examples: outcomes.length,
    accuracy: outcomes.filter((o) => o.clean && !o.broken).length / n,
    clean: outcomes.filter((o) => o.clean).length / n,
    meanL2PerDim:
      counted.length > 0 ? counted.reduce((a, o) => a + o.l2 / per, 0) / counted.length : Number.NaN,
    medianL2:
      l2s.length === 0
        ? Number.NaN
        : l2s.length % 2 === 1
          ? (l2s[Math.floor(mid)] ?? Number.NaN)
          : ((l2s[mid - 1] ?? 0) + (l2s[mid] ?? 0)) / 2,
    meanSteps: broken.length > 0 ? broken.reduce((a, o) => a + o.steps, 0) / broken.length : 0,
  };
}
