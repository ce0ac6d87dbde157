import * as tf from '@tensorflow/tfjs-core';
import { ROBUST_LGG } from '../../../shared/lgg-options.js';
import { LabFailure } from '../../../shared/result.js';
import type { Evaluation } from '../../../shared/spec/evaluation.js';
import type { SpecOf } from '../../../shared/spec/experiments.js';
import { findLinkedSuite, openCorruptionSuite, type CorruptionSuite } from '../data/corruption-suite.js';
import { gatherEvalSet, inputNormalizer, pixelClassifier, type EvalIo } from '../eval/eval-set.js';
import { perturbedProfiles } from '../eval/perturbed-profiles.js';
import { runRobustnessSuite } from '../eval/suite.js';
import { oneHot } from '../lgg/smoothness.js';
import { laplacianRegulariser } from '../methods/laplacian.js';
import { applyParseval } from '../methods/parseval.js';
import type { ExperimentPlugin, RunContext } from '../train/experiment.js';
import { crossEntropy } from '../train/losses.js';
import { resolveTaps } from '../train/taps.js';

type RobustSpec = SpecOf<'robust'>;

/** Consecutive training batches on which a tapped layer is entirely zero before the run is stopped. */
export const DEAD_LAYER_PATIENCE = 5;

/** The stored corruption suite an evaluation asks for: an explicit id, the one linked to the dataset (`auto`), or none. */
export async function resolveCorruptionSuite(
  ctx: RunContext,
  evaluation: Evaluation,
): Promise<CorruptionSuite | undefined> {
  const choice = evaluation.corruptions?.suite ?? null;
  if (choice === null) return undefined;
  const id = choice === 'auto' ? await findLinkedSuite(ctx.dataDir, ctx.spec.dataset) : choice;
  if (id === undefined) return undefined;
  return openCorruptionSuite(ctx.dataDir, id, { shape: ctx.data.shape, classes: ctx.data.classes });
}

/**
 * Seed of everything random in the evaluation (subset, noise patterns, random starts, dropout
 * masks): the probe seed, not the training seed, so every run of a study is evaluated on the same
 * examples and perturbations.
 */
function evaluationSeed(spec: RobustSpec): number {
  return spec.probe.seed;
}

/**
 * Robustness (METHODS.md §5): cross-entropy, plus for `laplacian` and `parseval+laplacian` the
 * smoothness-variation term γ^m · mean |σ^l − σ^{l−1}| over the chosen taps, plus for `parseval` and
 * `parseval+laplacian` the Parseval retraction after every step. Every method logs σ^l of the batch
 * per tap (`sigma.<tap>`) and Δ, so profiles compare across methods; the final evaluation is the
 * robustness suite.
 */
export function robustPlugin(spec: RobustSpec, classes: number): ExperimentPlugin {
  const regularised = spec.method === 'laplacian' || spec.method === 'parseval+laplacian';
  const parseval = spec.method === 'parseval' || spec.method === 'parseval+laplacian';
  const trainTaps = new Set<string>();
  let taps: string[] = [];
  let suite: CorruptionSuite | undefined;
  const deadFor = new Map<string, number>();
  /** [ce, γ^m·Δ, Δ, max of each tap] of the last training batch, kept for {@link checkAlive}. */
  let pending: tf.Tensor | undefined;

  /**
   * A ReLU layer that outputs only zeros on a whole batch gets no gradient and never recovers; the
   * smoothness term can drive a network there (σ = 0 at every layer makes Δ = 0) while the loss
   * stays finite, so the trainer's divergence check would not see it. Stop with the reason instead.
   * Runs after the step, off the gradient tape: no sync in the middle of the step, and a throw
   * there would strand the tensors the tape saved for the backward pass.
   */
  const checkAlive = async (): Promise<void> => {
    if (!pending) return;
    const read = pending;
    pending = undefined;
    let values: tf.TypedArray;
    try {
      values = await read.data();
    } finally {
      read.dispose();
    }
    const [ceV = 0, termV = 0, deltaV = 0, ...max] = values;
    taps.forEach((t, i) => deadFor.set(t, (max[i] ?? 0) === 0 ? (deadFor.get(t) ?? 0) + 1 : 0));
    const dead = taps.filter((t) => (deadFor.get(t) ?? 0) >= DEAD_LAYER_PATIENCE);
    if (dead.length === 0) return;
    const l = spec.laplacian;
    throw new LabFailure(
      'diverged',
      `Training collapsed: layer${dead.length > 1 ? 's' : ''} ${dead.join(', ')} output only zeros on the last ${DEAD_LAYER_PATIENCE} training batches ` +
        `(dead ReLUs get no gradient and do not recover; cross-entropy = ${ceV.toPrecision(4)}, Δ = ${deltaV.toPrecision(4)}` +
        (regularised
          ? `, laplacian term γ^m·Δ = ${termV.toPrecision(4)} with γ = ${l.gamma}, m = ${l.m}, σ ${l.sigma}`
          : '') +
        '). ' +
        (regularised
          ? `The smoothness term reaches Δ = 0 by killing layers when its weight is too large for this batch size (raw σ with m = 2 grows ≈ B³): lower laplacian.gamma, or use laplacian.sigma = "pairs". `
          : 'Lower the learning rate. ') +
        'The last checkpoint is intact.',
    );
  };

  const io = (ctx: RunContext): EvalIo => ({
    progress: (detail) => ctx.progress({ phase: 'robustness', epoch: ctx.spec.training.epochs, detail }),
    cancelled: () => ctx.cancelled(),
    ...(ctx.batches ? { batches: ctx.batches } : {}),
  });

  return {
    outputDim: classes,
    trainTaps,
    probeGraph: ROBUST_LGG,
    // The suite's loops go through ctx.batches, and it only computes: it can run on every replica.
    finishOnReplicas: true,

    async setup(ctx) {
      taps = resolveTaps(ctx.model, spec.laplacian.taps, 'laplacian.taps');
      if (regularised && taps.length < 2) {
        throw new LabFailure(
          'invalid-spec',
          `laplacian.taps: the regulariser compares consecutive layers and needs at least 2 taps; ${ctx.model.description} gives ${taps.length} (${taps.join(', ') || 'none'})`,
        );
      }
      for (const t of taps) trainTaps.add(t);
      // Resolved before training: a missing or mismatched suite fails now, not after the last epoch.
      suite = await resolveCorruptionSuite(ctx, spec.evaluation);
    },

    loss(_ctx, batch, out) {
      const ce = crossEntropy(out.output, batch.labels);
      const reps = taps.map((t) => {
        const r = out.taps.get(t);
        if (!r) throw new Error(`tap ${t} missing from the forward pass`);
        return r;
      });
      const components: Record<string, tf.Scalar> = { ce };
      if (reps.length === 0) return { total: ce, components };
      const term = laplacianRegulariser(
        reps,
        oneHot(batch.labels, classes),
        batch.labelArray,
        spec.laplacian,
      );
      tf.dispose(pending);
      pending = tf.keep(tf.stack([ce, term.weighted, term.delta, ...reps.map((r) => tf.max(r))]));
      if (regularised) components.laplacian = term.weighted;
      components.delta = term.delta;
      taps.forEach((t, i) => {
        const s = term.sigmas[i];
        if (s) components[`sigma.${t}`] = s;
      });
      return { total: regularised ? tf.add(ce, term.weighted) : ce, components };
    },

    async afterStep(ctx) {
      await checkAlive();
      if (parseval) applyParseval(ctx.model.params.trainable, spec.parseval.beta);
    },

    async probeExtras(ctx, snapshot) {
      if (!spec.evaluation.perturbedProfiles) return;
      const probe = await gatherEvalSet(ctx.data.test, ctx.data.shape, ctx.indices.probe);
      snapshot.perturbed = await perturbedProfiles(
        ctx.model,
        pixelClassifier(ctx.model, ctx.normalization),
        inputNormalizer(ctx.normalization),
        probe,
        classes,
        snapshot.taps.map((t) => t.tap),
        spec.evaluation,
        evaluationSeed(spec),
      );
    },

    finish(ctx) {
      // `lgg-lab eval` builds the plugin from the spec with its evaluation replaced, so this is the suite asked for.
      return runRobustnessSuite({
        model: ctx.model,
        normalization: ctx.normalization,
        data: ctx.data,
        evaluation: spec.evaluation,
        seed: evaluationSeed(spec),
        ...(suite ? { suite } : {}),
        io: io(ctx),
      });
    },

    dispose() {
      tf.dispose(pending);
      pending = undefined;
    },
  };
}
