import { typedValues, type ArrayRef } from './array-ref.js';
import { ByteReader } from './byte-reader.js';
import { corrupt, invalid } from './errors.js';
import type { ImportOptions } from './import-options.js';
import type { JobContext } from './job-context.js';

/** How a NumPy input array becomes stored examples. */
export interface InputPlan {
  /** `images` (uint8 NHWC) or `tabular` (float32 features). */
  kind: 'images' | 'tabular';
  /** Stored per-example shape. */
  shape: number[];
  /** Source layout of 4-D arrays. */
  layout: 'nhwc' | 'nchw';
  /** Multiplier turning source values into [0, 255] (255 for floats in [0, 1]). */
  scale: number;
  /** Examples. */
  count: number;
  /** Remarks for the preview. */
  warnings: string[];
  /** What the conversion does, for information. */
  notes: string[];
}

const CHANNELS = [1, 3];

/** Decides kind, layout and shape of an input array from its header (and the layout option). */
export function planInput(ref: ArrayRef, options: ImportOptions): InputPlan {
  const s = ref.header.shape;
  const warnings: string[] = [];
  const notes: string[] = [];
  const base = { scale: 1, count: s[0] ?? 0, warnings, notes };
  if (s.length === 2) {
    notes.push(
      `${ref.label}: 2-D inputs stored as ${s[1] ?? 0} tabular features (reshape to (N, H, W[, C]) for images)`,
    );
    return { ...base, kind: 'tabular', shape: [s[1] ?? 0], layout: 'nhwc' };
  }
  if (s.length === 3) return { ...base, kind: 'images', shape: [s[1] ?? 0, s[2] ?? 0, 1], layout: 'nhwc' };
  if (s.length !== 4)
    throw invalid(
      ref.label,
      `inputs of shape (${s.join(', ')}); expected (N, H, W), (N, H, W, C), (N, C, H, W) or (N, F)`,
    );
  const [, a = 0, b = 0, c = 0] = s;
  let layout = options.layout;
  if (!layout) {
    if (CHANNELS.includes(c)) layout = 'nhwc';
    else if (CHANNELS.includes(a)) layout = 'nchw';
    else throw invalid(ref.label, `shape (${s.join(', ')}) has no channel axis of size 1 or 3`);
    if (CHANNELS.includes(c) && CHANNELS.includes(a))
      warnings.push(`${ref.label}: layout ambiguous, read as NHWC (set layout to override)`);
    else if (layout === 'nchw') notes.push(`${ref.label}: NCHW layout detected, converted to NHWC`);
  }
  const shape = layout === 'nhwc' ? [a, b, c] : [b, c, a];
  if (!CHANNELS.includes(shape[2] ?? 0))
    throw invalid(
      ref.label,
      `${shape[2] ?? 0} channels in ${layout.toUpperCase()} layout (1 or 3 supported)`,
    );
  return { ...base, kind: 'images', shape, layout };
}

/** Values per example. */
function perExample(plan: InputPlan): number {
  return plan.shape.reduce((a, b) => a * b, 1);
}

/** Source arrays as batches of whole examples, raw bytes. */
async function* rawBatches(
  ref: ArrayRef,
  count: number,
  total: number,
): AsyncGenerator<[Uint8Array, number]> {
  const per = (ref.header.size / Math.max(1, ref.header.shape[0] ?? 1)) * ref.header.itemSize;
  const batch = Math.max(1, Math.floor((1 << 20) / Math.max(1, per)));
  const reader = ByteReader.from(ref.chunks());
  try {
    for (let i = 0; i < count; i += batch) {
      const k = Math.min(batch, count - i);
      const buf = await reader.readExact(k * per);
      if (buf.length < k * per) throw corrupt(ref.label, `truncated after ${i} examples`);
      yield [buf, k];
    }
    // Reading on to the end lets archive members verify their CRC and reveals trailing bytes.
    if (count === total && !(await reader.atEnd()))
      throw corrupt(ref.label, 'unexpected bytes after the data');
  } finally {
    await reader.close();
  }
}

/**
 * For non-uint8 images: scans the values once and decides the scale ([0, 1] → ×255, [0, 255] → ×1);
 * anything else (negative, normalised, NaN) is refused with the range found.
 */
export async function decideScale(ref: ArrayRef, plan: InputPlan, job: JobContext): Promise<void> {
  if (plan.kind !== 'images' || ref.header.dtype === 'uint8' || ref.header.dtype === 'bool') return;
  let min = Infinity;
  let max = -Infinity;
  for await (const [buf, k] of rawBatches(ref, plan.count, plan.count)) {
    const v = typedValues(ref.header, k * perExample(plan), buf);
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as number;
      if (x < min) min = x;
      if (x > max) max = x;
      if (Number.isNaN(x)) throw invalid(ref.label, `NaN at element ${i}`);
    }
    await job.breathe();
  }
  if (plan.count === 0 || (min >= 0 && max <= 1)) {
    plan.scale = 255;
    plan.notes.push(`${ref.label}: ${ref.header.dtype} values in [0, 1] detected; scaled to 0–255`);
  } else if (min >= 0 && max <= 255) {
    plan.notes.push(`${ref.label}: ${ref.header.dtype} values in [0, 255] detected; rounded to uint8`);
  } else {
    throw invalid(
      ref.label,
      `image values span [${min}, ${max}]; expected [0, 1] or [0, 255] (undo any normalisation before exporting)`,
    );
  }
}

/** Streams the examples of an input array converted to the stored form (uint8 NHWC or float32). */
export async function* convertedBatches(
  ref: ArrayRef,
  plan: InputPlan,
  first = Infinity,
): AsyncGenerator<Uint8Array | Float32Array> {
  const per = perExample(plan);
  const count = Math.min(plan.count, first);
  for await (const [buf, k] of rawBatches(ref, count, plan.count)) {
    if (plan.kind === 'images' && ref.header.dtype === 'uint8' && plan.layout === 'nhwc') {
      yield buf;
      continue;
    }
    const v = typedValues(ref.header, k * per, buf);
    if (plan.kind === 'tabular') {
      const out = Float32Array.from(v);
      const bad = out.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0)
        throw invalid(ref.label, `non-finite value at row ${Math.floor(bad / per)}, feature ${bad % per}`);
      yield out;
      continue;
    }
    yield toImages(v, k, plan);
  }
}

function toImages(v: ArrayLike<number>, k: number, plan: InputPlan): Uint8Array {
  const [h = 0, w = 0, c = 1] = plan.shape;
  const out = new Uint8Array(k * h * w * c);
  const s = plan.scale;
  const q = (x: number): number => {
    const r = Math.round(x * s);
    return r < 0 ? 0 : r > 255 ? 255 : r;
  };
  if (plan.layout === 'nhwc') {
    for (let i = 0; i < out.length; i++) out[i] = q(v[i] as number);
    return out;
  }
  const plane = h * w;
  for (let n = 0; n < k; n++) {
    const base = n * plane * c;
    for (let p = 0; p < plane; p++)
      for (let ch = 0; ch < c; ch++) out[base + p * c + ch] = q(v[base + ch * plane + p] as number);
  }
  return out;
}
