import * as tf from '@tensorflow/tfjs-core';
import type { LggOptions } from '../../../shared/lgg-options.js';
import { buildLgg, graphDistance, type Lgg } from '../lgg/graph.js';

/** Options of the GKD term (the `gkd` block of a distillation spec). */
export interface GkdOptions {
  /** λ. */
  weight: number;
  /** `sum` of squared entries (paper) or `mean` (/B²). */
  reduction: 'sum' | 'mean';
  /** Graph options, including the kNN mask source. */
  lgg: LggOptions;
}

/** The GKD term and its per-pair parts. */
export interface GkdTerm {
  /** (λ / |P|) Σ_{(t,s)∈P} ‖A_T^t − A_S^s‖² (sum or mean over entries): the term added to CE. */
  total: tf.Scalar;
  /** ‖A_T − A_S‖² of each pair, unweighted, in pair order. */
  perPair: tf.Scalar[];
}

/** The LGG of a teacher representation (graph and, with k set, its kNN mask). */
export function teacherLgg(rep: tf.Tensor, o: LggOptions): Lgg {
  return buildLgg(rep, o);
}

/**
 * The student's LGG of a pair: with `maskSource: 'teacher'` it reuses the teacher's kNN mask
 * (METHODS.md §1 step 7); with `own` (or no kNN) it sparsifies by itself.
 */
export function studentLgg(rep: tf.Tensor, o: LggOptions, teacher: Pick<Lgg, 'mask'>): tf.Tensor2D {
  return buildLgg(rep, o, o.maskSource === 'teacher' ? teacher.mask : undefined).graph;
}

/**
 * Graph knowledge distillation (METHODS.md §3): (λ / |P|) Σ ‖A_T − A_S‖²_F over the layer pairs,
 * from the teachers' graphs (computed off the tape) and the students' representations (any
 * layout, flattened). Differentiable in the student representations; call inside tf.tidy.
 */
export function gkdTerm(
  teachers: readonly Pick<Lgg, 'graph' | 'mask'>[],
  students: readonly tf.Tensor[],
  o: GkdOptions,
): GkdTerm {
  if (teachers.length !== students.length || teachers.length === 0) {
    throw new Error(
      `gkdTerm: ${teachers.length} teacher graphs for ${students.length} student representations`,
    );
  }
  const perPair = students.map((s, i) => {
    const t = teachers[i] as Pick<Lgg, 'graph' | 'mask'>;
    return graphDistance(t.graph, studentLgg(s, o.lgg, t), o.reduction);
  });
  const total = tf.mul<tf.Scalar>(tf.addN(perPair), o.weight / perPair.length);
  return { total, perPair };
}

/** GKD between teacher and student representations of the same batch, teacher first (for analysis and tests). */
export function gkdLoss(
  teacherReps: readonly tf.Tensor[],
  studentReps: readonly tf.Tensor[],
  o: GkdOptions,
): GkdTerm {
  return gkdTerm(
    teacherReps.map((r) => teacherLgg(r, o.lgg)),
    studentReps,
    o,
  );
}
