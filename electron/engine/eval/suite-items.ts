import type { ReportTable } from '../../../shared/run-types.js';
import { runsProtocol, type Evaluation, type Pgd, type Protocol } from '../../../shared/spec/evaluation.js';
import type { Model } from '../models/model.js';
import { tapsOfKind } from '../models/model.js';
import { deepFoolEvaluation } from './deepfool.js';
import {
  normalizedClassifier,
  normalizedEvalSet,
  type Classifier,
  type EvalIo,
  type EvalSet,
} from './eval-set.js';
import { fgsmEvaluation, type FgsmRow } from './fgsm.js';
import { gaussianNoise } from './gaussian-noise.js';
import { pgdEvaluation } from './pgd.js';
import { quantizationEvaluation, type QuantizationScheme } from './quantization.js';
import { dropoutEvaluation, type DropoutSites } from './test-time-dropout.js';

/** Examples per batch of the attacks (they keep activations for the input gradient). */
export const ATTACK_BATCH = 100;

/** What every item of the suite reads. */
export interface ItemInput {
  /** The evaluation examples, in input space. */
  set: EvalSet;
  /** The network on input-space batches (normalisation inside). */
  classifier: Classifier;
  /** The trained network. */
  model: Model;
  /** The run's input normalisation. */
  normalization: { mean: number[]; std: number[] } | null;
  /** The suite. */
  evaluation: Evaluation;
  /** Seed of every random draw. */
  seed: number;
  /** Progress and cancellation. */
  io: EvalIo;
  /** Examples per batch of plain forward passes. */
  batch: number;
}

/** What an item adds to the report: scalar metrics (fractions) and one table (percent). */
export interface ItemResult {
  metrics: Record<string, number>;
  table: ReportTable;
}

/** A number rounded to 3 significant digits, for keys and labels. */
export function short(x: number): number {
  return Number(x.toPrecision(3));
}

/** A fraction as a percentage with 2 decimals. */
export const pct = (a: number): number => Number((100 * a).toFixed(2));

/** A dB value for a table cell (∞ spelled out). */
export const db = (x: number): number | string =>
  Number.isFinite(x) ? Number(x.toFixed(2)) : x > 0 ? '∞' : '−∞';

/** Metric key suffix of a PGD configuration, e.g. `0.01×20` or `0.0314×10+rs`. */
export function pgdKey(cfg: Pgd): string {
  return `${short(cfg.epsilon)}×${cfg.iterations}${cfg.randomStart ? '+rs' : ''}`;
}

/** `gaussian`: one shared pattern per draw × ε, clamped; accuracy and both SNR definitions. */
export async function gaussianItem(inp: ItemInput): Promise<ItemResult | undefined> {
  const g = inp.evaluation.gaussian;
  if (!g) return undefined;
  const rows = await gaussianNoise(inp.set, inp.classifier, g, inp.seed, inp.io, inp.batch);
  return {
    metrics: Object.fromEntries(rows.map((r) => [`gaussian@${short(r.epsilon)}`, r.accuracy])),
    table: {
      id: 'gaussian',
      title: `Gaussian noise (gaussian): one N(0, ${g.sigma}²) pattern shared by every image × ε, clamped to [0, 1], mean of ${g.draws} draw(s)`,
      columns: ['ε', 'σ', 'SNR (dB), clamped', 'SNR (dB), per image, unclamped', 'accuracy %'],
      rows: rows.map((r) => [r.epsilon, g.sigma, db(r.snrDb), db(r.snrDbUnclamped), pct(r.accuracy)]),
    },
  };
}

/** `fgsm-pixel` and `fgsm-normalised`: one signed-gradient step at fixed ε or at an SNR. */
export async function fgsmItem(inp: ItemInput): Promise<ItemResult | undefined> {
  const f = inp.evaluation.fgsm;
  if (!f) return undefined;
  const metrics: Record<string, number> = {};
  const rows: (string | number)[][] = [];
  const add = (protocol: Protocol, r: FgsmRow): void => {
    const what = r.targetSnrDb !== undefined ? `${short(r.targetSnrDb)}dB` : `${short(r.meanEpsilon)}`;
    metrics[`${protocol}@${what}`] = r.accuracy;
    rows.push([
      protocol,
      r.targetSnrDb !== undefined ? `SNR ${r.targetSnrDb} dB` : `L∞ ε=${r.epsilon}`,
      Number(r.meanEpsilon.toPrecision(4)),
      db(r.snrDb),
      pct(r.accuracy),
    ]);
  };
  if (runsProtocol(inp.evaluation, 'fgsm-pixel')) {
    for (const r of await fgsmEvaluation(inp.set, inp.classifier, f, inp.io, ATTACK_BATCH, 'FGSM pixel'))
      add('fgsm-pixel', r);
  }
  if (!inp.io.cancelled() && runsProtocol(inp.evaluation, 'fgsm-normalised')) {
    const z = normalizedEvalSet(inp.set, inp.normalization);
    const o = { epsilons: [], snrDb: f.snrDb };
    for (const r of await fgsmEvaluation(
      z,
      normalizedClassifier(inp.model),
      o,
      inp.io,
      ATTACK_BATCH,
      'FGSM normalised',
    ))
      add('fgsm-normalised', r);
  }
  return {
    metrics,
    table: {
      id: 'fgsm',
      title:
        'FGSM, one signed-gradient step: fgsm-pixel in pixel space, clamped to [0, 1]; fgsm-normalised on the ' +
        'normalised input, no clamp (SNR rows: εᵢ = ‖xᵢ‖ / (√D·10^(SNR/20)) in the space of the step)' +
        (inp.normalization ? '' : ' — this run does not normalise: both spaces are pixels'),
      columns: ['protocol', 'attack', 'ε (mean)', 'SNR (dB)', 'accuracy %'],
      rows,
    },
  };
}

/** `pgd-any-iterate` and `pgd-final-iterate` from one attack per configuration. */
export async function pgdItem(inp: ItemInput): Promise<ItemResult | undefined> {
  const ev = inp.evaluation;
  const any = runsProtocol(ev, 'pgd-any-iterate');
  const fin = runsProtocol(ev, 'pgd-final-iterate');
  const rows = await pgdEvaluation(inp.set, inp.classifier, ev.pgd, inp.seed, inp.io, ATTACK_BATCH);
  const metrics: Record<string, number> = {};
  for (const r of rows) {
    if (any) metrics[`pgd-any-iterate@${pgdKey(r.cfg)}`] = r.anyIterate;
    if (fin) metrics[`pgd-final-iterate@${pgdKey(r.cfg)}`] = r.finalIterate;
  }
  return {
    metrics,
    table: {
      id: 'pgd',
      title:
        'PGD L∞ in pixel space (projection on the ε-ball, then clamp to [0, 1]): pgd-any-iterate counts an image ' +
        'broken if it starts misclassified or any iterate is (Foolbox 1.6); pgd-final-iterate classifies the last iterate',
      columns: [
        'ε',
        'step',
        'iterations',
        'random start',
        'SNR (dB)',
        ...(any ? ['pgd-any-iterate %'] : []),
        ...(fin ? ['pgd-final-iterate %'] : []),
      ],
      rows: rows.map((r) => [
        short(r.cfg.epsilon),
        short(r.cfg.step),
        r.cfg.iterations,
        r.cfg.randomStart ? 'yes' : 'no',
        db(r.snrDb),
        ...(any ? [pct(r.anyIterate)] : []),
        ...(fin ? [pct(r.finalIterate)] : []),
      ]),
    },
  };
}

/** `deepfool`: accuracy and the authors' mean L2 / D. */
export async function deepfoolItem(inp: ItemInput): Promise<ItemResult | undefined> {
  const cfg = inp.evaluation.deepfool;
  if (!cfg) return undefined;
  const r = await deepFoolEvaluation(inp.set, inp.classifier, cfg, inp.io);
  if (!r) return undefined;
  const g = (x: number): number | string => (Number.isFinite(x) ? Number(x.toPrecision(4)) : '—');
  return {
    // No L2 when no example was misclassified or broken (the mean of nothing).
    metrics: {
      deepfool: r.accuracy,
      ...(Number.isFinite(r.meanL2PerDim) ? { 'deepfool.l2': r.meanL2PerDim } : {}),
    },
    table: {
      id: 'deepfool',
      title:
        `DeepFool L2 (Foolbox 1.6 defaults: ≤ ${cfg.steps} steps, ${cfg.candidates} most likely classes, overshoot ${1 + cfg.overshoot} per step, clip to the bounds)` +
        (cfg.every > 1 ? ` on every ${cfg.every}th evaluation example` : ''),
      columns: ['examples', 'clean %', 'accuracy %', 'mean ‖x̃ − x‖₂ / D', 'median ‖x̃ − x‖₂', 'mean steps'],
      rows: [[r.examples, pct(r.clean), pct(r.accuracy), g(r.meanL2PerDim), g(r.medianL2), g(r.meanSteps)]],
    },
  };
}

/** `dropout-blocks` and `dropout-relus`: inverted test-time dropout, averaged over draws. */
export async function dropoutItem(inp: ItemInput): Promise<ItemResult | undefined> {
  const ev = inp.evaluation;
  const sites: [Protocol, DropoutSites, 'block' | 'relu'][] = [
    ['dropout-blocks', 'blocks', 'block'],
    ['dropout-relus', 'relus', 'relu'],
  ];
  const metrics: Record<string, number> = {};
  const rows: (string | number)[][] = [];
  const warnings: string[] = [];
  for (const [protocol, where, kind] of sites) {
    if (!runsProtocol(ev, protocol) || inp.io.cancelled()) continue;
    const expected = tapsOfKind(inp.model, kind).length;
    const o = { rates: ev.dropout, sites: where, draws: ev.dropoutDraws };
    for (const r of await dropoutEvaluation(
      inp.set,
      inp.model,
      inp.normalization,
      o,
      inp.seed,
      inp.io,
      inp.batch,
    )) {
      metrics[`${protocol}@${short(r.rate)}`] = r.accuracy;
      rows.push([protocol, r.rate, r.perturbed, r.draws, pct(r.accuracy)]);
      if (r.perturbed !== expected)
        warnings.push(
          `${protocol}: ${r.perturbed} outputs perturbed per forward, the model declares ${expected}`,
        );
    }
  }
  return {
    metrics,
    table: {
      id: 'dropout',
      title:
        'Test-time dropout, inverted (survivors × 1/(1 − p)): dropout-blocks on each block output, dropout-relus on every ReLU output; each p on its own ' +
        '(the authors’ script averages p = 0.25 and 0.4 into its “0.4” figure)' +
        (warnings.length > 0 ? ` — warning: ${warnings.join('; ')}` : ''),
      columns: ['protocol', 'p', 'outputs per forward', 'draws', 'accuracy %'],
      rows,
    },
  };
}

/** `quantise-truncate` and `quantise-round`: accuracy with n-bit weights. */
export async function quantizationItem(inp: ItemInput): Promise<ItemResult | undefined> {
  const ev = inp.evaluation;
  const schemes: [Protocol, QuantizationScheme][] = [
    ['quantise-truncate', 'truncate'],
    ['quantise-round', 'round'],
  ];
  const metrics: Record<string, number> = {};
  const rows: (string | number)[][] = [];
  for (const [protocol, scheme] of schemes) {
    if (!runsProtocol(ev, protocol) || inp.io.cancelled()) continue;
    for (const r of await quantizationEvaluation(
      inp.model,
      inp.set,
      inp.classifier,
      ev.quantizationBits,
      scheme,
      inp.io,
      inp.batch,
    )) {
      metrics[`${protocol}@${r.bits}bit`] = r.accuracy;
      rows.push([protocol, r.bits, r.tensors, Number(r.maxRelChange.toPrecision(3)), pct(r.accuracy)]);
    }
  }
  return {
    metrics,
    table: {
      id: 'quantization',
      title:
        'Weight quantisation per tensor (conv and dense weights; biases and BatchNorm kept): quantise-truncate with step ' +
        '2^−(n−1+e), M·2^e ∈ [½, 1), truncated toward zero (the authors’); quantise-round with step max|w| / (2^(n−1) − 1), rounded',
      columns: ['protocol', 'bits', 'tensors', 'max |Δw| / max |w|', 'accuracy %'],
      rows,
    },
  };
}
