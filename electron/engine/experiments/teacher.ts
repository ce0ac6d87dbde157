import * as tf from '@tensorflow/tfjs-core';
import { LabFailure } from '../../../shared/result.js';
import { RunStatusSchema } from '../../../shared/run-files.js';
import type { TeacherSource } from '../../../shared/spec/experiments.js';
import { teacherMismatch, type TeacherNeeds } from '../../../shared/teacher-compat.js';
import { findCheckpointFolder, readRunJson } from '../../common/run-folder/index.js';
import { describeTeacher, teacherFolder } from '../../common/teacher-source.js';
import type { ForwardResult, Model } from '../models/model.js';
import { createModel } from '../models/registry.js';
import { detached } from '../nn/detach.js';
import { gatherBatch, type Collective } from '../replicas/index.js';
import { disposeCheckpoint, readCheckpoint, restoreInto } from '../train/checkpoint.js';

/** A loaded teacher network and where it came from. */
export interface Teacher {
  /** The network, with the checkpoint's weights (inference only). */
  model: Model;
  /** The checkpoint folder it was read from. */
  checkpointDir: string;
}

/** What the student's run expects of a teacher. */
export interface TeacherRequirements extends TeacherNeeds {
  /** The lab's data folder (for `{ run }` sources and relative checkpoint paths). */
  dataDir: string;
}

export { teacherFolder };

/**
 * Loads a distillation teacher: a run folder (its latest checkpoint; the run must have completed
 * when it has a status.json) or a checkpoint folder, checked against its checksums. The
 * checkpoint's `model.json` rebuilds the network, then its weights are restored. The teacher must
 * read the same inputs as the student (see {@link teacherMismatch}).
 */
export async function loadTeacher(source: TeacherSource, req: TeacherRequirements): Promise<Teacher> {
  const folder = teacherFolder(source, req.dataDir);
  const what = describeTeacher(source, req.dataDir);
  if ('run' in source) {
    const status = await readRunJson(
      folder,
      'status.json',
      RunStatusSchema,
      `runs/${source.run}/status.json`,
    );
    if (status && status.state !== 'completed') {
      throw new LabFailure('invalid-spec', `${what} is ${status.state}; a teacher must have completed`);
    }
  }
  const found = await findCheckpointFolder(folder, 'checksum');
  if (!found) throw new LabFailure('not-found', `${what}: no checkpoint in ${folder}`);
  const mismatch = teacherMismatch(found.meta, req, what);
  if (mismatch) throw new LabFailure('invalid-spec', mismatch);
  const ckpt = await readCheckpoint(found);
  try {
    const m = ckpt.meta;
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

/**
 * The teacher's forward result on the whole batch (a replica ran it on its shard): the output and
 * every tap flattened side by side and gathered in ONE collective. wholeBatch gathers them one by
 * one, and each gather is a barrier where the replicas wait for each other; off the tape (the
 * teacher is not differentiated) nothing else differs.
 */
export function wholeTeacherBatch(out: ForwardResult, c: Collective | undefined): ForwardResult {
  if (!c || c.size === 1) return out;
  const names = [...out.taps.keys()];
  const parts = [out.output, ...names.map((n) => out.taps.get(n) as tf.Tensor)];
  const rows = out.output.shape[0] ?? 0;
  const widths = parts.map((p) => (rows > 0 ? p.size / rows : 0));
  const all = gatherBatch(
    tf.concat(
      parts.map((p, i) => tf.reshape(p, [rows, widths[i] ?? 0])),
      1,
    ),
    c,
  );
  const split = tf.split(all, widths, 1);
  const whole = split.map((s, i) => tf.reshape(s, [c.rows.total, ...(parts[i]?.shape.slice(1) ?? [])]));
  return {
    output: whole[0] as tf.Tensor2D,
    taps: new Map(names.map((n, i) => [n, whole[i + 1] as tf.Tensor])),
  };
}
