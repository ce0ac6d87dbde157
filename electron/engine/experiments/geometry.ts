import * as tf from '@tensorflow/tfjs-core';
import type { ProbeSnapshot } from '../../../shared/run-types.js';
import type { SpecOf } from '../../../shared/spec/experiments.js';
import { LabFailure } from '../../../shared/result.js';
import type { Batch, BatchAssembler } from '../data/batches.js';
import { balancedSample } from '../data/sampling.js';
import { EmbeddingClassifier, countEqual, type EmbeddingMetric } from '../eval/knn.js';
import { pca2d } from '../eval/pca.js';
import { normalizeRows } from '../lgg/graph.js';
import { smoothnessLoss, type SmoothnessOptions } from '../methods/smoothness-loss.js';
import type { ForwardResult } from '../models/model.js';
import { Rng, Stream } from '../../../shared/rng.js';
import type {
  EvalBatchResult,
  ExperimentPlugin,
  FinishResult,
  RunContext,
  StepLoss,
} from '../train/experiment.js';
import { correctCount, crossEntropy, crossEntropySum } from '../train/losses.js';
import { readAllTidy, readTidy } from '../nn/read.js';
import { evaluationRunner } from '../train/batch-loop.js';
import { inferenceRows } from '../train/evaluate.js';

type GeometrySpec = SpecOf<'geometry'>;

/** Seed stream of the class-balanced subset the classifiers are fitted on. */
const FIT_STREAM = 0x6e7;

/**
 * The `geometry` kind (METHODS.md §4): the network's output is C logits trained with CE (`ce`), or
 * an `embeddingDim`-wide embedding trained with the graph smoothness loss (`smoothness`: RBF, or the
 * cosine LGG with negatives clamped, `SMOOTHNESS_LGG` of methods/smoothness-loss.ts). Either output
 * is classified without an argmax head by 1-NN / k-NN and nearest class mean fitted on training
 * embeddings (`fitSubset`, class-balanced, fixed by the seed).
 *
 * Metric space: cosine similarity for the cosine-LGG loss (the geometry it shapes is angular and
 * scale-free), Euclidean otherwise (RBF, and the CE logits).
 *
 * Test metrics per epoch: `knn<k>` for every k of `knn`, `mean` (nearest class mean), `embNorm`
 * (mean ‖f‖ over the test split: the RBF failure mode inflates it), the same classifiers' accuracies
 * on the validation split (`val.knn<k>`, `val.mean`), and for `smoothness` `acc` = the test accuracy
 * of the classifier that is best on the validation split (held out of the training set, so the
 * headline is not chosen on the test split; ties go to the first of k-NN in `knn` order, then class
 * mean), while `ce` keeps the argmax accuracy. A `smoothness` run therefore needs
 * `training.validationFraction` > 0. Validation accuracy of the evaluation pass is nearest class mean.
 *
 * Evaluation batches of `smoothness` report loss = the smoothness loss on the batch and accuracy =
 * nearest class mean. The classifiers are refitted at the start of every evaluation after any
 * optimiser step (prepareEvaluation; the fit remembers the step count it was made at), so
 * evaluation batches always use the current network, and the test pass of epochMetrics reuses the
 * same fit. Fit, evaluation and metrics run on every replica, sharing their batches. Training
 * batch accuracy of `smoothness` is nearest class mean with the means of the batch itself.
 */
export function geometryPlugin(spec: GeometrySpec, classes: number): ExperimentPlugin {
  return new GeometryExperiment(spec, classes);
}

class GeometryExperiment implements ExperimentPlugin {
  readonly outputDim: number;
  readonly trainTaps = new Set<string>();
  readonly epochMetricsOnReplicas = true;
  private readonly metric: EmbeddingMetric;
  private readonly loss_: SmoothnessOptions;
  private fitIndices: Int32Array | undefined;
  private steps = 0;
  private fit: { steps: number; classifier: EmbeddingClassifier } | undefined;
  private cached: { steps: number; metrics: Record<string, number> } | undefined;

  constructor(
    private readonly spec: GeometrySpec,
    private readonly classes: number,
  ) {
    this.outputDim = spec.method === 'ce' ? classes : spec.embeddingDim;
    this.metric = spec.method === 'smoothness' && spec.similarity === 'cosine' ? 'cosine' : 'euclidean';
    this.loss_ = {
      similarity: spec.similarity,
      rbfAlpha: spec.rbfAlpha,
      rbfScale: spec.rbfScale,
      weight: spec.smoothness.weight,
      normalize: spec.smoothness.normalize,
      lgg: spec.lgg,
    };
  }

  setup(ctx: RunContext): Promise<void> {
    if (this.spec.method === 'smoothness' && ctx.indices.val.length === 0) {
      return Promise.reject(
        new LabFailure(
          'invalid-spec',
          'training.validationFraction: a smoothness run chooses its classifier (k-NN or class mean) on a validation split held out of the training set; set it above 0 (e.g. 0.1)',
        ),
      );
    }
    const pool = ctx.indices.train;
    const n = this.spec.fitSubset === null ? pool.length : Math.min(this.spec.fitSubset, pool.length);
    if (n >= pool.length) this.fitIndices = pool;
    else {
      const labels = Int32Array.from(pool, (i) => ctx.data.train.y[i] ?? 0);
      const pick = balancedSample(
        labels,
        this.classes,
        n,
        new Rng(ctx.spec.training.seed, Stream.split, FIT_STREAM),
      );
      this.fitIndices = Int32Array.from(pick, (j) => pool[j] ?? 0);
    }
    return Promise.resolve();
  }

  loss(_ctx: RunContext, batch: Batch, out: ForwardResult): StepLoss {
    if (this.spec.method === 'ce') {
      const ce = crossEntropy(out.output, batch.labels);
      return { total: ce, components: { ce } };
    }
    const smoothness = smoothnessLoss(out.output, batch.labels, this.loss_);
    return { total: smoothness, components: { smoothness } };
  }

  trainCorrect(_ctx: RunContext, batch: Batch, out: ForwardResult): tf.Scalar {
    if (this.spec.method === 'ce') return correctCount(out.output, batch.labels);
    return batchMeanCorrect(out.output, batch.labels, this.classes, this.metric);
  }

  evalBatch(ctx: RunContext, batch: Batch, out: ForwardResult): EvalBatchResult {
    if (this.spec.method === 'ce') {
      return {
        lossSum: crossEntropySum(out.output, batch.labels),
        correct: correctCount(out.output, batch.labels),
      };
    }
    const classifier = this.fitted();
    const lossSum = tf.mul<tf.Scalar>(
      smoothnessLoss(out.output, batch.labels, this.loss_),
      batch.labelArray.length,
    );
    const predicted = classifier.predictMean(out.output);
    const correct = tf.sum<tf.Scalar>(
      tf.cast(tf.equal(predicted, tf.cast(batch.labels, 'int32')), 'float32'),
    );
    return { lossSum, correct };
  }

  afterStep(): void {
    this.steps++;
  }

  epochMetrics(ctx: RunContext): Promise<Record<string, number>> {
    return this.metrics(ctx);
  }

  async finish(ctx: RunContext): Promise<FinishResult> {
    const metrics = await this.metrics(ctx);
    const names = [...[...new Set(this.spec.knn)].map((k) => `knn${k}`), 'mean'];
    const chosen = this.spec.method === 'smoothness' ? chooseClassifier(metrics, names) : undefined;
    const pct = (v: number | undefined): number | string =>
      v === undefined ? '—' : Number((100 * v).toFixed(2));
    const label = (n: string): string => (n === 'mean' ? 'nearest class mean' : `${n.slice(3)}-NN`);
    return {
      metrics,
      tables: [
        {
          id: 'classifiers',
          title:
            this.spec.method === 'smoothness'
              ? `Classifiers on the embedding: acc is the test accuracy of the one best on the validation split (${ctx.indices.val.length} training examples held out)`
              : 'Classifiers on the logits (acc is the argmax accuracy)',
          columns: ['classifier', 'validation accuracy %', 'test accuracy %', 'reported as acc'],
          rows: names.map((n) => [
            label(n),
            pct(metrics[`val.${n}`]),
            pct(metrics[n]),
            n === chosen ? 'yes' : '',
          ]),
        },
      ],
    };
  }

  /**
   * Fits the classifiers on the current network's training embeddings, unless fitted since the last
   * step. The trainer calls it at the start of every evaluation (on every replica, sharing the
   * batches); evalBatch and the metrics then use the fit.
   */
  async prepareEvaluation(ctx: RunContext): Promise<void> {
    await this.classifier(ctx);
  }

  /** The classifiers fitted on the current network's training embeddings (refitted after any step). */
  private async classifier(ctx: RunContext): Promise<EmbeddingClassifier> {
    if (this.fit?.steps === this.steps) return this.fit.classifier;
    this.fit?.classifier.dispose();
    this.fit = undefined;
    const idx = this.fitIndices ?? ctx.indices.train;
    const dim = this.outputDim;
    const rows = await inferenceRows(evaluationRunner(ctx), ctx.model, ctx.trainBatches, idx, dim, (output) =>
      readTidy(() => output),
    );
    const all = tf.tensor2d(Float32Array.from(rows), [idx.length, dim]);
    try {
      const labels = Int32Array.from(idx, (i) => ctx.data.train.y[i] ?? 0);
      this.fit = {
        steps: this.steps,
        classifier: EmbeddingClassifier.fit(all, labels, this.classes, this.metric),
      };
    } finally {
      all.dispose();
    }
    return this.fit.classifier;
  }

  /** The fit evalBatch uses: made by {@link prepareEvaluation} before the evaluation's batches. */
  private fitted(): EmbeddingClassifier {
    if (this.fit?.steps !== this.steps) {
      throw new Error('geometry: an evaluation batch before the classifiers were fitted (prepareEvaluation)');
    }
    return this.fit.classifier;
  }

  private async metrics(ctx: RunContext): Promise<Record<string, number>> {
    if (this.cached?.steps === this.steps) return this.cached.metrics;
    const ks = [...new Set(this.spec.knn)];
    const test = await this.accuracies(ctx, ctx.testBatches, ctx.indices.test, ctx.data.test.y, ks);
    const metrics: Record<string, number> = { ...test.accuracies, embNorm: test.meanNorm };
    if (ctx.indices.val.length > 0) {
      const val = await this.accuracies(ctx, ctx.trainBatches, ctx.indices.val, ctx.data.train.y, ks);
      for (const [k, v] of Object.entries(val.accuracies)) metrics[`val.${k}`] = v;
    }
    if (this.spec.method === 'smoothness') {
      const chosen = chooseClassifier(metrics, [...ks.map((k) => `knn${k}`), 'mean']);
      metrics.acc = chosen === undefined ? Number.NaN : (metrics[chosen] ?? Number.NaN);
    }
    this.cached = { steps: this.steps, metrics };
    return metrics;
  }

  /** Accuracy of every classifier (`knn<k>`, `mean`) on examples of a split, and the mean ‖f‖. */
  private async accuracies(
    ctx: RunContext,
    assembler: BatchAssembler,
    idx: Int32Array,
    y: Int32Array,
    ks: number[],
  ): Promise<{ accuracies: Record<string, number>; meanNorm: number }> {
    const classifier = await this.classifier(ctx);
    const labels = Int32Array.from(idx, (i) => y[i] ?? -1);
    // Per example: the k-NN prediction for each k, the class-mean prediction and ‖f‖.
    const width = ks.length + 2;
    const rows = await inferenceRows(
      evaluationRunner(ctx),
      ctx.model,
      assembler,
      idx,
      width,
      async (output) => {
        const b = output.shape[0];
        const knn = await classifier.predictKnn(output, ks);
        const [mean = [], norms = []] = await readAllTidy(() => [
          classifier.predictMean(output),
          tf.sqrt(tf.sum(tf.square(output), 1)),
        ]);
        const out = new Float64Array(b * width);
        for (let i = 0; i < b; i++) {
          ks.forEach((k, j) => (out[i * width + j] = knn.get(k)?.[i] ?? -1));
          out[i * width + ks.length] = mean[i] ?? -1;
          out[i * width + ks.length + 1] = norms[i] ?? Number.NaN;
        }
        return out;
      },
    );
    const column = (j: number): Int32Array => Int32Array.from(idx, (_, i) => rows[i * width + j] ?? -1);
    const n = Math.max(1, idx.length);
    const accuracies: Record<string, number> = {};
    ks.forEach((k, j) => (accuracies[`knn${k}`] = countEqual(column(j), labels) / n));
    accuracies.mean = countEqual(column(ks.length), labels) / n;
    let normSum = 0;
    for (let i = 0; i < idx.length; i++) normSum += rows[i * width + ks.length + 1] ?? 0;
    return { accuracies, meanNorm: normSum / n };
  }

  /** The 2-D PCA of the probe batch's output (embedding or logits), one point per example. */
  async probeExtras(ctx: RunContext, snapshot: ProbeSnapshot): Promise<void> {
    const batch = ctx.testBatches.make(ctx.indices.probe);
    try {
      const values = await readTidy(
        () => ctx.model.forward(batch.x, { training: false, bnUpdates: [] }).output,
      );
      snapshot.embedding2d = pca2d(values, ctx.indices.probe.length, this.outputDim);
    } finally {
      tf.dispose([batch.x, batch.labels]);
    }
  }

  dispose(): void {
    this.fit?.classifier.dispose();
    this.fit = undefined;
  }
}

/**
 * The classifier (`knn<k>` or `mean`) with the highest validation accuracy (`val.<name>` in
 * `metrics`); the first in `names` order on ties; undefined without validation accuracies.
 */
export function chooseClassifier(
  metrics: Record<string, number>,
  names: readonly string[],
): string | undefined {
  let best: string | undefined;
  for (const n of names) {
    const v = metrics[`val.${n}`];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === undefined || v > (metrics[`val.${best}`] ?? -1)) best = n;
  }
  return best;
}

/**
 * Correct predictions of the nearest class mean within a batch (means of the batch's own
 * embeddings, each example included in its class mean), in the given metric. Tensor ops only.
 */
export function batchMeanCorrect(
  f: tf.Tensor2D,
  labels: tf.Tensor1D,
  classes: number,
  metric: EmbeddingMetric,
): tf.Scalar {
  const x = metric === 'cosine' ? normalizeRows(f) : f;
  const l = tf.cast(labels, 'int32');
  const y = tf.cast(tf.oneHot(l, classes), 'float32');
  const counts = tf.sum(y, 0);
  let means = tf.div<tf.Tensor2D>(tf.matMul(y, x, true, false), tf.expandDims(tf.maximum(counts, 1), 1));
  if (metric === 'cosine') means = normalizeRows(means);
  const dot = tf.matMul(x, means, false, true);
  const absent = tf.mul(tf.cast(tf.equal(counts, 0), 'float32'), -1e30);
  const score =
    metric === 'cosine'
      ? tf.add(dot, absent)
      : tf.add(tf.sub(tf.mul(dot, 2), tf.sum(tf.square(means), 1)), absent);
  return tf.sum(tf.cast(tf.equal(tf.cast(tf.argMax(score, 1), 'int32'), l), 'float32'));
}
