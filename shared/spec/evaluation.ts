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

/**
 * The named protocols of the robustness suite (METHODS.md §5 and §7). The authors' protocols, as in
 * their CIFAR-10 scripts, and the lab's variants kept beside them under their own names:
 *
 * - `gaussian`: one N(0, σ²) pattern per draw shared by every test image, × ε, clamped (the authors').
 * - `fgsm-pixel`: one signed-gradient step in pixel space, clamped to [0, 1] (the authors' "before
 *   normalisation"); `fgsm-normalised`: the same step taken on the normalised input, per-image ε from
 *   the normalised image's norm, no clamp (the authors' "after normalisation"; SNR rows only).
 * - `pgd-any-iterate`: Foolbox 1.6 counting — only correctly classified images are attacked, and an
 *   image counts as broken if any iterate is misclassified (the authors'); `pgd-final-iterate`: every
 *   image attacked, the final iterate classified (the lab's earlier figure).
 * - `deepfool`: Foolbox 1.6 DeepFool defaults (L2, ≤ 100 steps, 10 most likely classes, overshoot
 *   1.05 per step, clip to [0, 1]): accuracy and mean L2 / D (the authors').
 * - `corruptions`: a stored corruption suite; `corruptions-in-app`: the lab's in-app noise,
 *   brightness and contrast.
 * - `dropout-blocks`: inverted dropout on each residual block's output (the authors');
 *   `dropout-relus`: on every ReLU output (the lab's earlier variant).
 * - `quantise-truncate`: n-bit weights with a power-of-two step, truncated toward zero (the
 *   authors'); `quantise-round`: symmetric, step max|w| / (2^(n−1) − 1), rounded (the lab's earlier
 *   variant).
 */
export const PROTOCOLS = [
  'gaussian',
  'fgsm-pixel',
  'fgsm-normalised',
  'pgd-any-iterate',
  'pgd-final-iterate',
  'deepfool',
  'corruptions',
  'corruptions-in-app',
  'dropout-blocks',
  'dropout-relus',
  'quantise-truncate',
  'quantise-round',
] as const;
/** A protocol name. */
export type Protocol = (typeof PROTOCOLS)[number];

/** DeepFool (Foolbox 1.6 `DeepFoolAttack` defaults, L2). */
export const DeepFoolSchema = strictObject({
  /** Maximum number of linearisation steps per image. */
  steps: z.number().int().positive().max(1000).default(100),
  /** Classes considered: the `candidates` most likely of the clean image (its own included). */
  candidates: z.number().int().min(2).max(1000).default(10),
  /** Each step's perturbation is multiplied by 1 + overshoot before clipping to the bounds. */
  overshoot: z.number().min(0).max(1).default(0.05),
  /**
   * Attack every `every`-th evaluation example (1 = all). The authors' script attacks the first image
   * of each batch of 10, i.e. 1,000 of the 10,000 test images: `every` = 10 on the full test set.
   */
  every: z.number().int().positive().max(1000).default(1),
});
/** A parsed DeepFool configuration. */
export type DeepFool = z.infer<typeof DeepFoolSchema>;

/** The robustness evaluation suite (METHODS.md §5, §7); every item is optional and selectable. */
export const EvaluationSchema = strictObject({
  /** Test examples evaluated by each item (class order preserved, seeded subset); null = all. */
  subset: z.number().int().positive().nullable().default(1000),
  /** Protocols run (see {@link PROTOCOLS}); an item whose parameters are null or empty is skipped too. */
  protocols: z.array(z.enum(PROTOCOLS)).default([...PROTOCOLS]),
  /** Gaussian noise: a fixed N(0, σ²) pattern scaled by ε, added, clamped to [0, 1]. */
  gaussian: strictObject({
    /** Scales ε of the pattern. */
    epsilons: z.array(z.number().min(0)).default([0.1, 0.2, 0.3]),
    /** Standard deviation σ of the pattern (0.5 in the paper). */
    sigma: z.number().positive().default(0.5),
    /** Independent patterns averaged (the authors: 40). */
    draws: z.number().int().positive().max(100).default(3),
  })
    .nullable()
    .default({ epsilons: [0.1, 0.2, 0.3], sigma: 0.5, draws: 3 }),
  /** FGSM: fixed L∞ ε values (pixel space) and/or per-image ε at a target SNR (dB). */
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
  /** DeepFool (L2, Foolbox 1.6 defaults). */
  deepfool: DeepFoolSchema.nullable().default(DeepFoolSchema.parse({})),
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
  /** Test-time dropout rates (inverted dropout; where: the `dropout-*` protocols). */
  dropout: z.array(z.number().gt(0).lt(1)).default([0.25, 0.4]),
  /** Independent dropout draws averaged per rate (the authors: 40). */
  dropoutDraws: z.number().int().positive().max(100).default(1),
  /** Weight quantisation bit widths, per tensor (how: the `quantise-*` protocols). */
  quantizationBits: z.array(z.number().int().min(2).max(16)).default([5]),
  /** σ^l profile of perturbed probe batches alongside the clean one. */
  perturbedProfiles: z.boolean().default(true),
});
/** A parsed evaluation suite. */
export type Evaluation = z.infer<typeof EvaluationSchema>;

/** True when the suite runs `protocol` (named, and its parameters present). */
export function runsProtocol(e: Evaluation, protocol: Protocol): boolean {
  if (!e.protocols.includes(protocol)) return false;
  switch (protocol) {
    case 'gaussian':
      return e.gaussian !== null && e.gaussian.epsilons.length > 0;
    case 'fgsm-pixel':
      return e.fgsm !== null && e.fgsm.epsilons.length + e.fgsm.snrDb.length > 0;
    case 'fgsm-normalised':
      return e.fgsm !== null && e.fgsm.snrDb.length > 0;
    case 'pgd-any-iterate':
    case 'pgd-final-iterate':
      return e.pgd.length > 0;
    case 'deepfool':
      return e.deepfool !== null;
    case 'corruptions':
      return e.corruptions !== null && e.corruptions.suite !== null;
    case 'corruptions-in-app':
      return e.corruptions !== null && e.corruptions.inApp;
    case 'dropout-blocks':
    case 'dropout-relus':
      return e.dropout.length > 0;
    case 'quantise-truncate':
    case 'quantise-round':
      return e.quantizationBits.length > 0;
    default: {
      const unknown: never = protocol;
      throw new Error(`unknown protocol ${String(unknown)}`);
    }
  }
}
