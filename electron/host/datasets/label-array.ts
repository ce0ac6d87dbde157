import type { NpyHeader } from '../../../shared/npy.js';
import { invalid } from './errors.js';
import { LIMITS } from './limits.js';

/** The class names a source declares and where they come from: `--class-names` first, then the source's own. */
export function declaredClasses(
  source: { classNames?: readonly string[] | undefined; classNamesFrom?: string | undefined },
  override: readonly string[] | undefined,
): { names: readonly string[]; by: string } | undefined {
  if (override && override.length > 0) return { names: override, by: 'given by the class names option' };
  if (source.classNames && source.classNames.length > 0)
    return { names: source.classNames, by: `named in ${source.classNamesFrom ?? 'the source'}` };
  return undefined;
}

/** Labels converted to int32 class indices. */
export interface NormalisedLabels {
  /** One class index per example. */
  labels: Int32Array;
  /** max label + 1 (or the one-hot width). */
  numClasses: number;
  /** Set when the labels needed a conversion worth telling the user about. */
  warning?: string;
}

type Numeric = ArrayLike<number>;

/**
 * Turns a NumPy label array into class indices: 1-D (or N×1) integers, integral floats, or N×K
 * one-hot / score rows (argmax). Negative, fractional or huge labels are refused.
 */
export function normaliseLabels(
  file: string,
  header: Pick<NpyHeader, 'shape' | 'dtype'>,
  data: Numeric,
): NormalisedLabels {
  const shape = header.shape;
  const n = shape[0] ?? 0;
  if (shape.length === 2 && (shape[1] ?? 0) > 1) {
    const k = shape[1] as number;
    if (k > LIMITS.maxClasses)
      throw invalid(file, `${k} label columns; at most ${LIMITS.maxClasses} classes`);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if ((data[i * k + j] as number) > (data[i * k + best] as number)) best = j;
      labels[i] = best;
    }
    return {
      labels,
      numClasses: k,
      warning: `${file}: labels are ${n}×${k} rows (one-hot or scores); converted with argmax`,
    };
  }
  if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) {
    throw invalid(file, `labels must be a 1-D array (or N×K one-hot), got shape (${shape.join(', ')})`);
  }
  const labels = new Int32Array(n);
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = data[i] as number;
    if (!Number.isInteger(v) || v < 0)
      throw invalid(file, `label ${v} at index ${i} is not a class index (non-negative integer)`);
    if (v >= LIMITS.maxClasses)
      throw invalid(file, `label ${v} at index ${i} is out of range (at most ${LIMITS.maxClasses} classes)`);
    labels[i] = v;
    if (v > max) max = v;
  }
  return { labels, numClasses: max + 1 };
}

/**
 * Checks labels against a known class count, naming the first offender; `declaredBy` says where
 * the classes come from (a classes.txt, a known dataset family, --class-names).
 */
export function checkLabelRange(
  file: string,
  labels: Int32Array,
  numClasses: number,
  declaredBy?: string,
): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number;
    if (v < 0 || v >= numClasses)
      throw invalid(
        file,
        declaredBy
          ? `label ${v} at index ${i} is outside the ${numClasses} classes ${declaredBy} (0…${numClasses - 1}); if the labels are right, name every class with --class-names`
          : `label ${v} at index ${i} is out of range [0, ${numClasses - 1}]`,
      );
  }
}
