import type { ReportTable } from '../../../shared/run-types.js';
import type { Evaluation } from '../../../shared/spec/evaluation.js';
import type { CorruptionSuite } from '../data/corruption-suite.js';
import type { LoadedDataset } from '../data/dataset.js';
import { balancedSample } from '../data/sampling.js';
import type { Model } from '../models/model.js';
import { Rng, Stream } from '../../../shared/rng.js';
import type { FinishResult } from '../train/experiment.js';
import { EVAL_BATCH } from '../train/evaluate.js';
import { corruptionTable, inAppCorruptions, meanError, suiteCorruptions } from './corruptions.js';
import { evaluatePerturbed, gatherEvalSet, pixelClassifier, type EvalIo, type EvalSet } from './eval-set.js';
import { fgsmEvaluation } from './fgsm.js';
import { gaussianNoise } from './gaussian-noise.js';
import { pgdEvaluation } from './pgd.js';
import { quantizationEvaluation } from './quantization.js';
import { dropoutEvaluation } from './test-time-dropout.js';

/** Examples per batch of the attacks (they keep activations for the input gradient). */
export const ATTACK_BATCH = 100;

/** What the suite evaluates. */
export interface SuiteInput {
  /** The trained network (its weights are restored after quantisation). */
  model: Model;
  /** The run's input normalisation (applied inside the classifier). */
  normalization: { mean: number[]; std: number[] } | null;
  /** The clean dataset. */
  data: LoadedDataset;
  /** Items to run. */
  evaluation: Evaluation;
  /** Seed of the subset, noise patterns, random starts and masks (the same for every run of a study). */
  seed: number;
  /** A stored corruption suite, when one is selected and present. */
  suite?: CorruptionSuite;
  /** Number of `relu` taps of the model (what test-time dropout should perturb). */
  reluTaps: number;
  /** Progress and cancellation. */
  io: EvalIo;
}

/** Scalar metrics of each suite table: the key prefix → the table id. */
const METRIC_TABLES: readonly [prefix: string, table: string][] = [
  ['clean', 'clean'],
  ['gaussian@', 'gaussian'],
  ['fgsm@', 'fgsm'],
  ['pgd@', 'pgd'],
  ['corruptions.suite.', 'corruptions'],
  ['corruptions.inApp.', 'corruptions-in-app'],
  ['dropout@', 'dropout'],
  ['quantized@', 'quantization'],
];

/** Ids of the suite's tables, in report order. */
export const SUITE_TABLES: readonly string[] = [...new Set(METRIC_TABLES.map(([, t]) => t))];

/** The suite table a scalar metric belongs to (undefined for metrics the suite does not write). */
export function tableOfMetric(key: string): string | undefined {
  return METRIC_TABLES.find(([p]) => (p === 'clean' ? key === p : key.startsWith(p)))?.[1];
}

/** A number rounded to 3 significant digits, for keys and labels. */
export function short(x: number): number {
  return Number(x.toPrecision(3));
}

const pct = (a: number): number => Number((100 * a).toFixed(2));
const db = (x: number): number | string => (Number.isFinite(x) ? Number(x.toFixed(2)) : x > 0 ? '∞' : '−∞');

/** The evaluation examples: `subset` test examples, class-balanced and seeded, in input space. */
export function evaluationSet(data: LoadedDataset, subset: number | null, seed: number): Promise<EvalSet> {
  const n = data.test.count;
  const indices =
    subset !== null && subset < n
      ? balancedSample(data.test.y, data.classes, subset, new Rng(seed, Stream.split, 0xe7a1))
      : Int32Array.from({ length: n }, (_, i) => i);
  return gatherEvalSet(data.test, data.shape, indices);
}

/**
 * The robustness evaluation suite (METHODS.md §5) on the run's evaluation subset: clean accuracy,
 * Gaussian noise, FGSM, PGD, corruptions (stored suite and in-app), test-time dropout and weight
 * quantisation — each item only when selected. Every item adds a table (accuracies and errors in %)
 * and scalar metrics (fractions in [0, 1]). Cancellation stops between batches and returns the items
 * finished so far.
 */
export async function runRobustnessSuite(inp: SuiteInput): Promise<FinishResult> {
  const { evaluation: ev, io, seed } = inp;
  const set = await evaluationSet(inp.data, ev.subset, seed);
  const classifier = pixelClassifier(inp.model, inp.normalization);
  const metrics: Record<string, number> = {};
  const tables: ReportTable[] = [];
  const image = set.bounds !== null && inp.data.shape.length === 3;

  const clean = await evaluatePerturbed(set, classifier, io, 'clean', EVAL_BATCH);
  if (io.cancelled()) return { metrics, tables };
  metrics.clean = clean.accuracy;
  tables.push({
    id: 'clean',
    title: `Clean accuracy on the ${set.n} evaluation examples`,
    columns: ['examples', 'accuracy %'],
    rows: [[set.n, pct(clean.accuracy)]],
  });

  if (ev.gaussian) {
    const rows = await gaussianNoise(set, classifier, ev.gaussian, seed, io, EVAL_BATCH);
    for (const r of rows) metrics[`gaussian@${short(r.epsilon)}`] = r.accuracy;
    tables.push({
      id: 'gaussian',
      title: `Gaussian noise: one fixed N(0, ${ev.gaussian.sigma}²) pattern × ε, clamped, mean of ${ev.gaussian.draws} draw(s)`,
      columns: ['ε', 'σ', 'SNR (dB)', 'accuracy %'],
      rows: rows.map((r) => [r.epsilon, ev.gaussian?.sigma ?? 0, db(r.snrDb), pct(r.accuracy)]),
    });
    if (io.cancelled()) return { metrics, tables };
  }

  if (ev.fgsm && ev.fgsm.epsilons.length + ev.fgsm.snrDb.length > 0) {
    const rows = await fgsmEvaluation(set, classifier, ev.fgsm, io, ATTACK_BATCH);
    for (const r of rows) {
      metrics[
        r.targetSnrDb !== undefined ? `fgsm@${short(r.targetSnrDb)}dB` : `fgsm@${short(r.meanEpsilon)}`
      ] = r.accuracy;
    }
    tables.push({
      id: 'fgsm',
      title:
        'FGSM: one signed-gradient step in pixel space, clamped (SNR rows: εᵢ = ‖xᵢ‖ / (√D·10^(SNR/20)))',
      columns: ['attack', 'ε (mean)', 'SNR (dB)', 'accuracy %'],
      rows: rows.map((r) => [
        r.targetSnrDb !== undefined ? `SNR ${r.targetSnrDb} dB` : `L∞ ε=${r.epsilon}`,
        Number(r.meanEpsilon.toPrecision(4)),
        db(r.snrDb),
        pct(r.accuracy),
      ]),
    });
    if (io.cancelled()) return { metrics, tables };
  }

  if (ev.pgd.length > 0) {
    const rows = await pgdEvaluation(set, classifier, ev.pgd, seed, io, ATTACK_BATCH);
    for (const r of rows)
      metrics[`pgd@${short(r.cfg.epsilon)}×${r.cfg.iterations}${r.cfg.randomStart ? '+rs' : ''}`] =
        r.accuracy;
    tables.push({
      id: 'pgd',
      title: 'PGD L∞ in pixel space (projection on the ε-ball, then clamp to [0, 1])',
      columns: ['ε', 'step', 'iterations', 'random start', 'SNR (dB)', 'accuracy %'],
      rows: rows.map((r) => [
        short(r.cfg.epsilon),
        short(r.cfg.step),
        r.cfg.iterations,
        r.cfg.randomStart ? 'yes' : 'no',
        db(r.snrDb),
        pct(r.accuracy),
      ]),
    });
    if (io.cancelled()) return { metrics, tables };
  }

  if (ev.corruptions) {
    if (inp.suite) {
      const rows = await suiteCorruptions(
        inp.suite,
        inp.data.classes,
        classifier,
        ev.subset,
        seed,
        io,
        EVAL_BATCH,
      );
      metrics['corruptions.suite.error'] = meanError(rows);
      const n = ev.subset !== null ? Math.min(ev.subset, inp.suite.perSeverity) : inp.suite.perSeverity;
      tables.push(
        corruptionTable(
          'corruptions',
          `Corruption suite ${inp.suite.meta.name} (${inp.suite.meta.id}): top-1 error on ${n} examples per level`,
          rows,
        ),
      );
      if (io.cancelled()) return { metrics, tables };
    }
    if (ev.corruptions.inApp && image) {
      const rows = await inAppCorruptions(set, classifier, seed, io, EVAL_BATCH);
      metrics['corruptions.inApp.error'] = meanError(rows);
      tables.push(
        corruptionTable(
          'corruptions-in-app',
          'In-app corruptions (CIFAR-10-C levels, seeded): top-1 error',
          rows,
        ),
      );
      if (io.cancelled()) return { metrics, tables };
    }
  }

  if (ev.dropout.length > 0) {
    const rows = await dropoutEvaluation(set, inp.model, inp.normalization, ev.dropout, seed, io, EVAL_BATCH);
    for (const r of rows) metrics[`dropout@${short(r.rate)}`] = r.accuracy;
    const mismatch = rows.some((r) => r.relus !== inp.reluTaps);
    tables.push({
      id: 'dropout',
      title:
        'Test-time dropout on every ReLU tap (inverted: survivors × 1/(1 − p)), one seeded draw' +
        (mismatch
          ? ` — warning: ${rows[0]?.relus ?? 0} ReLU calls per forward, the model has ${inp.reluTaps} relu taps`
          : ''),
      columns: ['p', 'ReLUs per forward', 'accuracy %'],
      rows: rows.map((r) => [r.rate, r.relus, pct(r.accuracy)]),
    });
    if (io.cancelled()) return { metrics, tables };
  }

  if (ev.quantizationBits.length > 0) {
    const rows = await quantizationEvaluation(
      inp.model,
      set,
      classifier,
      ev.quantizationBits,
      io,
      EVAL_BATCH,
    );
    for (const r of rows) metrics[`quantized@${r.bits}bit`] = r.accuracy;
    tables.push({
      id: 'quantization',
      title:
        'Weight quantisation: uniform, symmetric, per tensor (weights with ≥ 2 dims; biases and BatchNorm kept)',
      columns: ['bits', 'tensors', 'max |Δw| / max |w|', 'accuracy %'],
      rows: rows.map((r) => [r.bits, r.tensors, Number(r.maxRelChange.toPrecision(3)), pct(r.accuracy)]),
    });
  }
  return { metrics, tables };
}
