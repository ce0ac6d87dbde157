import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LabFailure } from '../../../shared/result.js';
import type { RunStatus } from '../../../shared/run-types.js';
import type { TeacherSource } from '../../../shared/spec/experiments.js';
import { readJsonIfExists } from '../../common/atomic-file.js';
import type { Model } from '../models/model.js';
import { createModel } from '../models/registry.js';
import { detached } from '../nn/detach.js';
import { disposeCheckpoint, findCheckpoint, loadCheckpoint, restoreInto } from '../train/checkpoint.js';

/** A loaded teacher network and where it came from. */
export interface Teacher {
  /** The network, with the checkpoint's weights (inference only). */
  model: Model;
  /** The checkpoint folder it was read from. */
  checkpointDir: string;
}

/** What the student's run expects of a teacher. */
export interface TeacherRequirements {
  /** The lab's data folder (for `{ run }` sources and relative checkpoint paths). */
  dataDir: string;
  /** Per-example input shape of the dataset. */
  inputShape: readonly number[];
  /** Classes of the dataset. */
  classes: number;
  /** Input normalisation of the student's run (the teacher must have been trained with the same). */
  normalization: { mean: number[]; std: number[] } | null;
}

/** Folder a teacher source points at: `<dataDir>/runs/<id>`, or the checkpoint path (relative to the data folder). */
export function teacherFolder(source: TeacherSource, dataDir: string): string {
  if ('run' in source) return path.join(dataDir, 'runs', source.run);
  return path.resolve(dataDir, source.checkpoint);
}

function describeNorm(n: { mean: number[]; std: number[] } | null): string {
  if (!n) return 'none (raw [0, 1] inputs)';
  const f = (a: number[]): string => a.map((v) => v.toPrecision(4)).join(', ');
  return `mean (${f(n.mean)}), std (${f(n.std)})`;
}

function sameNormalization(
  a: TeacherRequirements['normalization'],
  b: TeacherRequirements['normalization'],
): boolean {
  if (a === null || b === null) return a === b;
  const close = (x: number[], y: number[]): boolean =>
    x.length === y.length &&
    x.every((v, i) => Math.abs(v - (y[i] ?? Number.NaN)) <= 1e-6 * Math.max(1, Math.abs(v)));
  return close(a.mean, b.mean) && close(a.std, b.std);
}

/**
 * Loads a distillation teacher: a run folder (its latest checkpoint; the run must have completed
 * when it has a status.json) or a checkpoint folder. The checkpoint's `model.json` rebuilds the
 * network, then its weights are restored. The teacher must read the same inputs as the student:
 * same input shape, same classes (its output is C logits) and the same input normalisation.
 */
export async function loadTeacher(source: TeacherSource, req: TeacherRequirements): Promise<Teacher> {
  const folder = teacherFolder(source, req.dataDir);
  const what = 'run' in source ? `teacher run "${source.run}"` : `teacher checkpoint ${folder}`;
  if ('run' in source) {
    const status = await readJsonIfExists<RunStatus>(path.join(folder, 'status.json'));
    if (status && status.state !== 'completed') {
      throw new LabFailure('invalid-spec', `${what} is ${status.state}; a teacher must have completed`);
    }
  }
  if (!(await findCheckpoint(folder)))
    throw new LabFailure('not-found', `${what}: no checkpoint in ${folder}`);
  const ckpt = await loadCheckpoint(folder);
  try {
    const m = ckpt.meta;
    const shape = (s: readonly number[]): string => `[${s.join(', ')}]`;
    if (shape(m.inputShape) !== shape(req.inputShape)) {
      throw new LabFailure(
        'invalid-spec',
        `${what} reads inputs of shape ${shape(m.inputShape)}; this dataset has ${shape(req.inputShape)}`,
      );
    }
    if (m.classes !== req.classes || m.outputDim !== req.classes) {
      throw new LabFailure(
        'invalid-spec',
        `${what} outputs ${m.outputDim} values for ${m.classes} classes; a teacher must output ${req.classes} class logits for this dataset`,
      );
    }
    if (!sameNormalization(m.normalization, req.normalization)) {
      throw new LabFailure(
        'invalid-spec',
        `${what} was trained with input normalisation ${describeNorm(m.normalization)}, but this run uses ` +
          `${describeNorm(req.normalization)}; set training.normalize to match the teacher's run`,
      );
    }
    const model = createModel(m.model, m.inputShape, m.outputDim, 0);
    try {
      restoreInto(ckpt, model);
    } catch (e) {
      model.params.dispose();
      throw e;
    }
    return { model, checkpointDir: ckpt.dir };
  } finally {
    disposeCheckpoint(ckpt);
  }
}

/**
 * Runs `fn(input)` off the gradient tape (see {@link detached}) and returns all the tensors it
 * produced. They travel as one flat tensor through the custom-gradient op, whose forward records
 * nothing on the tape, and are split back outside it; no gradient reaches anything computed in `fn`
 * (the teacher's weights included).
 */
export function detachedAll(input: tf.Tensor, fn: (x: tf.Tensor) => tf.Tensor[]): tf.Tensor[] {
  let shapes: number[][] = [];
  const flat = detached(input, (x) => {
    const outs = fn(x);
    shapes = outs.map((o) => o.shape);
    return outs.length === 0
      ? tf.zeros([0])
      : tf.concat(outs.map((o) => tf.reshape(tf.cast(o, 'float32'), [-1])));
  });
  if (shapes.length === 0) return [];
  const parts = tf.split(
    flat,
    shapes.map((s) => s.reduce((a, b) => a * b, 1)),
  );
  return parts.map((p, i) => tf.reshape(p, shapes[i] ?? [-1]));
}
