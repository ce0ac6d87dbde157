import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LggOptions } from '../../../shared/lgg-options.js';
import type { ProbeSnapshot } from '../../../shared/run-types.js';
import type { SpecOf } from '../../../shared/spec/experiments.js';
import { encodeNpy } from '../../common/npy-file.js';
import type { Batch } from '../data/batches.js';
import { countEqual } from '../eval/knn.js';
import { graphDistance, type Lgg } from '../lgg/graph.js';
import { gkdTerm, studentLgg, teacherLgg } from '../methods/gkd.js';
import { kdLoss } from '../methods/kd.js';
import {
  angleStructure,
  normalizedDistances,
  rkdAngleFromTarget,
  rkdDistanceFromTarget,
} from '../methods/rkd.js';
import { spLossFromTarget, spSimilarity } from '../methods/sp.js';
import type { ForwardResult } from '../models/model.js';
import type { ForwardContext } from '../nn/layers.js';
import type { ExperimentPlugin, FinishResult, RunContext, StepLoss } from '../train/experiment.js';
import { crossEntropy } from '../train/losses.js';
import { evaluationRunner } from '../train/batch-loop.js';
import { predictions } from '../train/evaluate.js';
import { resolvePairs, type LayerPair } from './pairs.js';
import { detachedAll, loadTeacher, wholeTeacherBatch, type Teacher } from './teacher.js';

type DistillSpec = SpecOf<'distill'>;

/** Methods whose objective reads the paired layers (the others only need the logits). */
const PAIRED: ReadonlySet<DistillSpec['method']> = new Set(['rkd', 'sp', 'gkd']);

/** A fresh inference-mode forward context (BatchNorm on running statistics, nothing recorded). */
const inference = (): ForwardContext => ({ training: false, bnUpdates: [] });

function tapOf(out: ForwardResult, name: string, who: string): tf.Tensor {
  const t = out.taps.get(name);
  if (!t) throw new Error(`${who} tap ${name} was not produced by the forward pass`);
  return t;
}

/**
 * The `distill` kind (METHODS.md §3): a student trained with CE plus one of KD, RKD, SP or GKD
 * against a fixed teacher, or CE alone (`student`). The teacher runs in inference mode and off the
 * gradient tape; only the student's variables are differentiated.
 *
 * Step components: `ce` is always the student's raw cross-entropy (comparable across methods); the
 * distillation term is logged as it enters the total: `kd` = α·T²·KL (the total is then
 * (1 − α)·ce + kd), `rkd` = (1/|P|) Σ (w_D·RKD-D + w_A·RKD-A), `sp` = w·(1/|P|) Σ SP, `gkd` =
 * (λ/|P|) Σ ‖A_T − A_S‖².
 *
 * Test metrics per epoch: `agreement` (teacher–student top-1 agreement on the test split),
 * `teacherAcc` (computed once), and `gkd.pair<i>` = ‖A_T − A_S‖²_F (sum over entries) of pair i on
 * the probe batch with the spec's GKD graph, for every method, so runs compare on the same pairs.
 * With `pairs: 'stages'` and different stage counts, `student` and `kd` still train (they need no
 * pairs) but log no pair metric; `rkd`, `sp` and `gkd` fail.
 */
export function distillPlugin(spec: DistillSpec, classes: number): ExperimentPlugin {
  return new DistillExperiment(spec, classes);
}

class DistillExperiment implements ExperimentPlugin {
  readonly outputDim: number;
  readonly trainTaps = new Set<string>();
  // Predictions go through ctx.batches; the probe graphs are small and computed on every replica.
  readonly epochMetricsOnReplicas = true;
  readonly probeGraph: LggOptions;
  private teacher: Teacher | undefined;
  private pairs: LayerPair[] = [];
  private teacherTest: { predictions: Int32Array; acc: number } | undefined;
  /** Optimiser steps since the plugin was made: metrics computed at the same count are reused. */
  private steps = 0;
  private cached: { steps: number; metrics: Record<string, number> } | undefined;

  constructor(
    private readonly spec: DistillSpec,
    classes: number,
  ) {
    this.outputDim = classes;
    this.probeGraph = spec.gkd.lgg;
  }

  async setup(ctx: RunContext): Promise<void> {
    this.teacher = await loadTeacher(this.spec.teacher, {
      dataDir: ctx.dataDir,
      inputShape: ctx.data.shape,
      classes: ctx.data.classes,
      normalization: ctx.normalization,
    });
    try {
      this.pairs = resolvePairs(this.spec.pairs, this.teacher.model, ctx.model);
    } catch (e) {
      // Stage counts that differ only matter to methods that read the pairs.
      if (PAIRED.has(this.spec.method) || this.spec.pairs !== 'stages') throw e;
      this.pairs = [];
    }
    if (PAIRED.has(this.spec.method)) for (const p of this.pairs) this.trainTaps.add(p.student);
  }

  private get teacherModel(): Teacher['model'] {
    if (!this.teacher) throw new Error('distill: the teacher is not loaded (setup did not run)');
    return this.teacher.model;
  }

  /**
   * Teacher-side targets of a batch, computed off the gradient tape. Under replicas each one runs
   * the teacher on its shard and the teacher's outputs are gathered into the whole batch, so the
   * teacher's forward is parallel too and its graphs are whole-batch graphs.
   */
  private targets(batch: Batch, fn: (out: ForwardResult) => tf.Tensor[]): tf.Tensor[] {
    const model = this.teacherModel;
    const want = new Set(this.pairs.map((p) => p.teacher));
    return detachedAll(batch.x, (x) =>
      fn(wholeTeacherBatch(model.forward(x, inference(), want), batch.replicas)),
    );
  }

  loss(_ctx: RunContext, batch: Batch, out: ForwardResult): StepLoss {
    const ce = crossEntropy(out.output, batch.labels);
    const s = this.spec;
    switch (s.method) {
      case 'student':
        return { total: ce, components: { ce } };
      case 'kd': {
        const [t] = this.targets(batch, (r) => [r.output]);
        const { total, kd } = kdLoss(out.output, t as tf.Tensor2D, ce, s.kd);
        return { total, components: { ce, kd } };
      }
      case 'sp': {
        const targets = this.targets(batch, (r) =>
          this.pairs.map((p) => spSimilarity(tapOf(r, p.teacher, 'teacher'))),
        );
        const terms = this.pairs.map((p, i) =>
          spLossFromTarget(targets[i] as tf.Tensor2D, tapOf(out, p.student, 'student')),
        );
        const sp = tf.mul<tf.Scalar>(tf.addN(terms), s.sp.weight / terms.length);
        return { total: tf.add(ce, sp), components: { ce, sp } };
      }
      case 'rkd': {
        const angle = s.rkd.angleWeight > 0;
        const per = angle ? 2 : 1;
        const targets = this.targets(batch, (r) =>
          this.pairs.flatMap((p) => {
            const t = tapOf(r, p.teacher, 'teacher');
            return angle ? [normalizedDistances(t), angleStructure(t)] : [normalizedDistances(t)];
          }),
        );
        const terms = this.pairs.map((p, i) => {
          const st = tapOf(out, p.student, 'student');
          const d = tf.mul(rkdDistanceFromTarget(targets[i * per] as tf.Tensor2D, st), s.rkd.distanceWeight);
          return angle
            ? tf.add(
                d,
                tf.mul(rkdAngleFromTarget(targets[i * per + 1] as tf.Tensor3D, st), s.rkd.angleWeight),
              )
            : d;
        });
        const rkd = tf.div<tf.Scalar>(tf.addN(terms), terms.length);
        return { total: tf.add(ce, rkd), components: { ce, rkd } };
      }
      case 'gkd': {
        const o = s.gkd.lgg;
        const withMask = o.k !== null;
        const flat = this.targets(batch, (r) =>
          this.pairs.flatMap((p) => {
            const g = teacherLgg(tapOf(r, p.teacher, 'teacher'), o);
            return withMask && g.mask ? [g.graph, g.mask] : [g.graph];
          }),
        );
        const per = withMask ? 2 : 1;
        const teachers = this.pairs.map((_, i): Lgg => {
          const graph = flat[i * per] as tf.Tensor2D;
          return withMask ? { graph, mask: flat[i * per + 1] as tf.Tensor2D } : { graph };
        });
        const term = gkdTerm(
          teachers,
          this.pairs.map((p) => tapOf(out, p.student, 'student')),
          s.gkd,
        );
        return { total: tf.add(ce, term.total), components: { ce, gkd: term.total } };
      }
    }
  }

  afterStep(): void {
    this.steps++;
  }

  epochMetrics(ctx: RunContext): Promise<Record<string, number>> {
    return this.metrics(ctx);
  }

  async finish(ctx: RunContext): Promise<FinishResult> {
    return { metrics: await this.metrics(ctx), tables: [] };
  }

  private async metrics(ctx: RunContext): Promise<Record<string, number>> {
    if (this.cached?.steps === this.steps) return this.cached.metrics;
    const teacher = await this.teacherOnTest(ctx);
    const student = await predictions(evaluationRunner(ctx), ctx.model, ctx.testBatches, ctx.indices.test);
    const metrics: Record<string, number> = {
      teacherAcc: teacher.acc,
      agreement: countEqual(student, teacher.predictions) / Math.max(1, student.length),
    };
    (await this.probePairDistances(ctx)).forEach((v, i) => (metrics[`gkd.pair${i}`] = v));
    this.cached = { steps: this.steps, metrics };
    return metrics;
  }

  /** The teacher's test predictions and accuracy: the teacher never changes, so computed once. */
  private async teacherOnTest(ctx: RunContext): Promise<{ predictions: Int32Array; acc: number }> {
    if (!this.teacherTest) {
      const idx = ctx.indices.test;
      const pred = await predictions(evaluationRunner(ctx), this.teacherModel, ctx.testBatches, idx);
      const labels = Int32Array.from(idx, (i) => ctx.data.test.y[i] ?? -1);
      this.teacherTest = { predictions: pred, acc: countEqual(pred, labels) / Math.max(1, idx.length) };
    }
    return this.teacherTest;
  }

  /**
   * Teacher and student graphs of the probe batch for the given student taps (each paired with a
   * teacher tap), as the loss builds them (the student reuses the teacher's kNN mask when asked):
   * `compute` derives tensors from each pair's graphs; their values are returned, pair by pair.
   */
  private async probeGraphs(
    ctx: RunContext,
    pairs: LayerPair[],
    compute: (teacher: tf.Tensor2D, student: tf.Tensor2D) => tf.Tensor[],
  ): Promise<tf.TypedArray[][]> {
    if (pairs.length === 0) return [];
    const batch = ctx.testBatches.make(ctx.indices.probe);
    try {
      const kept = tf.tidy(() => {
        const s = ctx.model.forward(batch.x, inference(), new Set(pairs.map((p) => p.student)));
        const t = this.teacherModel.forward(batch.x, inference(), new Set(pairs.map((p) => p.teacher)));
        return pairs.map((p) => {
          const tl = teacherLgg(tapOf(t, p.teacher, 'teacher'), this.spec.gkd.lgg);
          return compute(tl.graph, studentLgg(tapOf(s, p.student, 'student'), this.spec.gkd.lgg, tl));
        });
      });
      try {
        return await Promise.all(kept.map((ts) => Promise.all(ts.map((x) => x.data()))));
      } finally {
        tf.dispose(kept.flat());
      }
    } finally {
      tf.dispose([batch.x, batch.labels]);
    }
  }

  /** ‖A_T − A_S‖²_F (sum over entries) of every pair on the probe batch. */
  private async probePairDistances(ctx: RunContext): Promise<number[]> {
    const values = await this.probeGraphs(ctx, this.pairs, (t, s) => [graphDistance(t, s, 'sum')]);
    return values.map(([d]) => d?.[0] ?? Number.NaN);
  }

  /** Adds the teacher graph and |A_T − A_S| of every probe tap that has a paired teacher tap. */
  async probeExtras(ctx: RunContext, snapshot: ProbeSnapshot, probeDir: string): Promise<void> {
    const byStudent = new Map(this.pairs.map((p) => [p.student, p]));
    const entries = snapshot.taps.filter((e) => byStudent.has(e.tap));
    const pairs = entries.map((e) => byStudent.get(e.tap) as LayerPair);
    const rel = path.relative(ctx.runDir, probeDir);
    const b = ctx.indices.probe.length;
    const values = await this.probeGraphs(ctx, pairs, (t, s) => {
      const diff = tf.abs(tf.sub(t, s));
      return [t, diff, tf.sum(tf.square(diff))];
    });
    const files: [string, Uint8Array][] = [];
    entries.forEach((e, i) => {
      const [teacher, diff, sq] = values[i] ?? [];
      const p = pairs[i];
      if (!teacher || !diff || !p) return;
      e.files.teacher = path.join(rel, `${p.student}.teacher.npy`);
      e.files.diff = path.join(rel, `${p.student}.diff.npy`);
      e.sqFrobenius = sq?.[0] ?? Number.NaN;
      files.push([e.files.teacher, encodeNpy(Float32Array.from(teacher), [b, b])]);
      files.push([e.files.diff, encodeNpy(Float32Array.from(diff), [b, b])]);
    });
    await Promise.all(files.map(([f, bytes]) => fs.writeFile(path.join(ctx.runDir, f), bytes)));
  }

  dispose(): void {
    this.teacher?.model.params.dispose();
    this.teacher = undefined;
  }
}
