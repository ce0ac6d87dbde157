import type { ModelSpec } from './spec/model.js';

/** Input normalisation of a network: per-channel mean and std, or null for raw [0, 1] inputs. */
export type Normalization = { mean: number[]; std: number[] } | null;

/** What a teacher checkpoint says about the inputs and outputs of its network. */
export interface TeacherFacts {
  /** Architecture. */
  model: ModelSpec;
  /** Input shape [H, W, C] or [F]. */
  inputShape: readonly number[];
  /** Output width. */
  outputDim: number;
  /** Classes of the dataset it was trained on. */
  classes: number;
  /** Normalisation it was trained with. */
  normalization: Normalization;
}

/** What the student's run expects of its teacher. */
export interface TeacherNeeds {
  /** Per-example input shape of the dataset. */
  inputShape: readonly number[];
  /** Classes of the dataset. */
  classes: number;
  /** Input normalisation of the student's run. */
  normalization: Normalization;
}

function describeNorm(n: Normalization): string {
  if (!n) return 'none (raw [0, 1] inputs)';
  const f = (a: number[]): string => a.map((v) => v.toPrecision(4)).join(', ');
  return `mean (${f(n.mean)}), std (${f(n.std)})`;
}

function sameNormalization(a: Normalization, b: Normalization): boolean {
  if (a === null || b === null) return a === b;
  const close = (x: number[], y: number[]): boolean =>
    x.length === y.length &&
    x.every((v, i) => Math.abs(v - (y[i] ?? Number.NaN)) <= 1e-6 * Math.max(1, Math.abs(v)));
  return close(a.mean, b.mean) && close(a.std, b.std);
}

/**
 * Why a teacher cannot teach this run, or undefined when it can: it must read the same inputs as
 * the student (input shape, normalisation) and output one logit per class of the dataset. The host
 * checks this before a run folder exists; the engine checks it again when it loads the weights.
 */
export function teacherMismatch(t: TeacherFacts, need: TeacherNeeds, what: string): string | undefined {
  const shape = (s: readonly number[]): string => `[${s.join(', ')}]`;
  if (shape(t.inputShape) !== shape(need.inputShape))
    return `${what} reads inputs of shape ${shape(t.inputShape)}; this dataset has ${shape(need.inputShape)}`;
  if (t.classes !== need.classes || t.outputDim !== need.classes)
    return `${what} outputs ${t.outputDim} values for ${t.classes} classes; a teacher must output ${need.classes} class logits for this dataset`;
  if (!sameNormalization(t.normalization, need.normalization))
    return (
      `${what} was trained with input normalisation ${describeNorm(t.normalization)}, but this run uses ` +
      `${describeNorm(need.normalization)}; set training.normalize to match the teacher's run`
    );
  return undefined;
}
