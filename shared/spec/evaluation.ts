import { z } from 'zod';
import { strictObject } from '../strict-object.js';

/** One PGD L∞ attack configuration (pixel space [0, 1]). */
export const PgdSchema = strictObject({
  /** L∞ radius. */
  epsilon: z.number().positive().max(1),
  /** Step size per iteration. */
  step: z.number().positive().max(1),
  /** Number of iterations. */
  iterations: z.number().int().positive().max(1000),
  /** Start from a uniform random point of the ε-ball. */
  randomStart: z.boolean().default(false),
});
/** A parsed PGD configuration. */
export type Pgd = z.infer<typeof PgdSchema>;

/** The robustness evaluation suite (METHODS.md §5); every item is optional and selectable. */
export const EvaluationSchema = strictObject({
  /** Test examples evaluated by each item (class order preserved, seeded subset); null = all. */
  subset: z.number().int().positive().nullable().default(1000),
  /** Gaussian noise: a fixed N(0, σ²) pattern scaled by ε, added, clamped to [0, 1]. */
  gaussian: strictObject({
    /** Scales ε of the pattern. */
    epsilons: z.array(z.number().min(0)).default([0.1, 0.2, 0.3]),
    /** Standard deviation σ of the pattern (0.5 in the paper). */
    sigma: z.number().positive().default(0.5),
    /** Independent patterns averaged. */
    draws: z.number().int().positive().max(100).default(3),
  })
    .nullable()
    .default({ epsilons: [0.1, 0.2, 0.3], sigma: 0.5, draws: 3 }),
  /** FGSM: fixed L∞ ε values and/or per-image ε at a target SNR (dB). */
  fgsm: strictObject({
    epsilons: z.array(z.number().positive()).default([0.01, 0.03, 0.1]),
    snrDb: z.array(z.number()).default([33]),
  })
    .nullable()
    .default({ epsilons: [0.01, 0.03, 0.1], snrDb: [33] }),
  /** PGD L∞ configurations (the paper's preset and the RobustBench-style one by default). */
  pgd: z.array(PgdSchema).default([
    { epsilon: 0.01, step: 0.002, iterations: 20, randomStart: false },
    { epsilon: 8 / 255, step: 2 / 255, iterations: 10, randomStart: true },
  ]),
  /** Corruptions: a corruption suite from the dataset store, and/or in-app corruptions. */
  corruptions: strictObject({
    /** Dataset id of a corruption suite linked to the clean set; `auto` = the linked one if any. */
    suite: z
      .union([z.literal('auto'), z.string().min(1)])
      .nullable()
      .default('auto'),
    /** In-app gaussian/shot/impulse noise, brightness and contrast at 5 severities. */
    inApp: z.boolean().default(true),
  })
    .nullable()
    .default({ suite: 'auto', inApp: true }),
  /** Test-time dropout rates applied to every tapped representation. */
  dropout: z.array(z.number().gt(0).lt(1)).default([0.25, 0.4]),
  /** Weight quantisation bit widths (uniform, symmetric, per tensor). */
  quantizationBits: z.array(z.number().int().min(2).max(16)).default([5]),
  /** σ^l profile of perturbed probe batches alongside the clean one. */
  perturbedProfiles: z.boolean().default(true),
});
/** A parsed evaluation suite. */
export type Evaluation = z.infer<typeof EvaluationSchema>;
