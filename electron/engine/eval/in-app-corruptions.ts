import type { Rng } from '../../../shared/rng.js';

/**
 * Corruptions computed in the app when no stored suite is available, after Hendrycks & Dietterich's
 * CIFAR-10-C (`make_cifar_c.py`), on images in [0, 1] (HWC, row-major), always clipped to [0, 1]:
 *
 * | name | severity 1…5 | definition |
 * |---|---|---|
 * | gaussian_noise | std c = 0.04, 0.06, 0.08, 0.09, 0.10 | x + N(0, c²) per value |
 * | shot_noise | photons c = 500, 250, 100, 75, 50 | Poisson(x·c) / c per value |
 * | impulse_noise | amount c = 0.01, 0.02, 0.03, 0.05, 0.07 | a fraction c of the values replaced, half by 0, half by 1 (skimage `s&p`) |
 * | brightness | c = 0.05, 0.1, 0.15, 0.2, 0.3 | HSV value V + c: RGB scaled by min(V + c, 1)/V, a black pixel becomes grey c (grey images: x + c) |
 * | contrast | c = 0.75, 0.5, 0.4, 0.3, 0.15 | (x − m)·c + m, m the per-channel mean of the image |
 *
 * The levels are CIFAR-10-C's. Differences: noise is drawn per value by the lab's seeded generator
 * (so every run of a study sees the same corrupted images); the Poisson sampler is exact (inversion)
 * for means below 30 and a rounded normal N(λ, λ) above; brightness scales RGB in place of a round
 * trip through HSV (the same result, as H and S are kept).
 */
export const IN_APP_CORRUPTIONS = {
  gaussian_noise: [0.04, 0.06, 0.08, 0.09, 0.1],
  shot_noise: [500, 250, 100, 75, 50],
  impulse_noise: [0.01, 0.02, 0.03, 0.05, 0.07],
  brightness: [0.05, 0.1, 0.15, 0.2, 0.3],
  contrast: [0.75, 0.5, 0.4, 0.3, 0.15],
} as const;

/** Names of the in-app corruptions, in table order. */
export type InAppCorruption = keyof typeof IN_APP_CORRUPTIONS;

/** The in-app corruption names. */
export const IN_APP_NAMES = Object.keys(IN_APP_CORRUPTIONS) as InAppCorruption[];

const clip = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

function poisson(lambda: number, rng: Rng): number {
  if (lambda <= 0) return 0;
  if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
  // Inversion by sequential search: exact, and cheap for small means.
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  const u = rng.uniform();
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/**
 * Applies a corruption at a 1-based severity to images [n, H, W, C] in [0, 1], in place, with a
 * seeded generator.
 */
export function corruptImages(
  x: Float32Array,
  shape: readonly number[],
  name: InAppCorruption,
  severity: number,
  rng: Rng,
): Float32Array {
  const c = IN_APP_CORRUPTIONS[name][severity - 1];
  if (c === undefined) throw new Error(`${name}: severity ${severity} outside 1…5`);
  const per = shape.reduce((a, b) => a * b, 1);
  const ch = shape.length === 3 ? (shape[2] ?? 1) : 1;
  switch (name) {
    case 'gaussian_noise':
      for (let i = 0; i < x.length; i++) x[i] = clip((x[i] ?? 0) + c * rng.normal());
      return x;
    case 'shot_noise':
      for (let i = 0; i < x.length; i++) x[i] = clip(poisson((x[i] ?? 0) * c, rng) / c);
      return x;
    case 'impulse_noise':
      for (let i = 0; i < x.length; i++) {
        if (rng.uniform() < c) x[i] = rng.uniform() < 0.5 ? 0 : 1;
      }
      return x;
    case 'brightness':
      for (let p = 0; p < x.length; p += ch) {
        if (ch === 1) {
          x[p] = clip((x[p] ?? 0) + c);
          continue;
        }
        let v = 0;
        for (let k = 0; k < ch; k++) v = Math.max(v, x[p + k] ?? 0);
        const scale = v > 0 ? Math.min(v + c, 1) / v : 0;
        for (let k = 0; k < ch; k++) x[p + k] = v > 0 ? clip((x[p + k] ?? 0) * scale) : clip(c);
      }
      return x;
    case 'contrast':
      for (let o = 0; o < x.length; o += per) {
        for (let k = 0; k < ch; k++) {
          let m = 0;
          for (let p = o + k; p < o + per; p += ch) m += x[p] ?? 0;
          m /= per / ch;
          for (let p = o + k; p < o + per; p += ch) x[p] = clip(((x[p] ?? 0) - m) * c + m);
        }
      }
      return x;
  }
}
