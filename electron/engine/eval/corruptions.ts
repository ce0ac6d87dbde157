import * as tf from '@tensorflow/tfjs-core';
import type { CorruptionMeta } from '../../../shared/dataset-types.js';
import type { ReportTable } from '../../../shared/run-types.js';
import { readCorruptionRows, type CorruptionSuite } from '../data/corruption-suite.js';
import { balancedSample } from '../data/sampling.js';
import { Rng, Stream } from '../../../shared/rng.js';
import {
  evalSetFromPixels,
  evaluatePerturbed,
  type Classifier,
  type EvalIo,
  type EvalSet,
} from './eval-set.js';
import { corruptImages, IN_APP_NAMES } from './in-app-corruptions.js';

/** Error rates of one corruption, one per severity (1-based order). */
export interface CorruptionRow {
  /** Corruption name. */
  name: string;
  /** Top-1 error in [0, 1] per severity. */
  errors: number[];
}

/** Mean of the errors of every corruption × severity (NaN when empty). */
export function meanError(rows: readonly CorruptionRow[]): number {
  const all = rows.flatMap((r) => r.errors);
  return all.length > 0 ? all.reduce((a, b) => a + b, 0) / all.length : Number.NaN;
}

/** The wide table of corruption errors (%): one row per corruption, one column per severity, then the mean. */
export function corruptionTable(id: string, title: string, rows: readonly CorruptionRow[]): ReportTable {
  const levels = Math.max(1, ...rows.map((r) => r.errors.length));
  const pct = (e: number): number => Number((100 * e).toFixed(2));
  return {
    id,
    title,
    columns: [
      'corruption',
      ...Array.from({ length: levels }, (_, i) => `severity ${i + 1} error %`),
      'mean error %',
    ],
    rows: [
      ...rows.map((r) => [
        r.name,
        ...Array.from({ length: levels }, (_, i) => (r.errors[i] !== undefined ? pct(r.errors[i]) : '—')),
        pct(r.errors.reduce((a, b) => a + b, 0) / Math.max(1, r.errors.length)),
      ]),
      ['mean', ...Array.from({ length: levels }, () => ''), pct(meanError(rows))],
    ],
  };
}

/**
 * In-app corruptions (see in-app-corruptions.ts) of the eval set at severities 1…5, each with its own
 * seeded generator so every run sees the same corrupted images.
 */
export async function inAppCorruptions(
  set: EvalSet,
  classifier: Classifier,
  seed: number,
  io: EvalIo,
  batchSize: number,
): Promise<CorruptionRow[]> {
  const per = set.shape.reduce((a, b) => a * b, 1);
  const rows: CorruptionRow[] = [];
  for (const [k, name] of IN_APP_NAMES.entries()) {
    const errors: number[] = [];
    for (let severity = 1; severity <= 5; severity++) {
      const r = await evaluatePerturbed(
        set,
        classifier,
        io,
        `${name} severity ${severity}`,
        batchSize,
        (b) => {
          const rng = new Rng(seed, Stream.noise, 0xc0, k, severity, b.start);
          const n = b.pixels.length / per;
          return tf.tensor(corruptImages(Float32Array.from(b.pixels), set.shape, name, severity, rng), [
            n,
            ...set.shape,
          ]);
        },
      );
      if (io.cancelled()) return rows;
      errors.push(1 - r.accuracy);
    }
    rows.push({ name, errors });
  }
  return rows;
}

/**
 * Error per corruption and severity of a stored suite, on `subset` examples of each severity
 * (class-balanced, seeded: the same examples at every level); only those rows are read from disk.
 */
export async function suiteCorruptions(
  suite: CorruptionSuite,
  classes: number,
  classifier: Classifier,
  subset: number | null,
  seed: number,
  io: EvalIo,
  batchSize: number,
): Promise<CorruptionRow[]> {
  const n = suite.perSeverity;
  const indices =
    subset !== null && subset < n
      ? balancedSample(suite.labels, classes, subset, new Rng(seed, Stream.split, 0xc5))
      : Int32Array.from({ length: n }, (_, i) => i);
  const labels = Int32Array.from(indices, (i) => suite.labels[i] ?? 0);
  const rows: CorruptionRow[] = [];
  for (const c of suite.meta.corruptions ?? ([] as CorruptionMeta[])) {
    const errors: number[] = [];
    for (let s = 0; s < c.severities; s++) {
      const pixels = await readCorruptionRows(suite, c, s, indices);
      const set = evalSetFromPixels(pixels, labels, suite.meta.shape);
      const r = await evaluatePerturbed(
        set,
        classifier,
        io,
        `${suite.meta.id} ${c.name} severity ${s + 1}`,
        batchSize,
      );
      if (io.cancelled()) return rows;
      errors.push(1 - r.accuracy);
    }
    rows.push({ name: c.name, errors });
  }
  return rows;
}
