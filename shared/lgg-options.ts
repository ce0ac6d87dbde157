import { z } from 'zod';
import { strictObject } from './strict-object.js';

/**
 * Options of the Latent Geometry Graph of one layer (METHODS.md §1), applied in this order:
 * flatten → similarity → negatives → self-loops → normalisation → kNN → (mask source) → power.
 * Defaults are the paper's GKD preset.
 */
export const LggOptionsSchema = strictObject({
  /** `cosine`: row-L2-normalise (eps 1e-12) then X̂X̂ᵀ; `rbf`: exp(−α‖xᵢ − xⱼ‖). */
  similarity: z.enum(['cosine', 'rbf']).default('cosine'),
  /** α of the RBF kernel (unitless, > 0); ignored for cosine. */
  rbfAlpha: z.number().positive().default(1),
  /** `keep` negative similarities, or `clamp` them to 0. */
  negatives: z.enum(['keep', 'clamp']).default('keep'),
  /** `remove` sets Sᵢᵢ = 0; `keep` leaves the diagonal. */
  selfLoops: z.enum(['remove', 'keep']).default('remove'),
  /** `sym`: D^-1/2 S D^-1/2 (zero degree → zero row, never NaN); `none`: unnormalised. */
  normalization: z.enum(['sym', 'none']).default('sym'),
  /** kNN sparsification: keep each row's k largest, mask symmetrised by union; null = dense. */
  k: z.number().int().positive().nullable().default(null),
  /** Where the kNN mask of a student graph comes from: its `own` graph or the `teacher`'s. */
  maskSource: z.enum(['own', 'teacher']).default('teacher'),
  /** Matrix power p of the final graph (A^p). */
  power: z.number().int().min(1).max(8).default(1),
});

/** Parsed LGG options (defaults filled in). */
export type LggOptions = z.infer<typeof LggOptionsSchema>;

/** The paper's GKD graph: cosine, dense, self-loops removed, symmetric normalisation, p = 1. */
export const GKD_LGG: LggOptions = LggOptionsSchema.parse({});

/** The robustness paper's graph: dense cosine, self-loops kept, unnormalised (L = D − W). */
export const ROBUST_LGG: LggOptions = LggOptionsSchema.parse({ selfLoops: 'keep', normalization: 'none' });

/**
 * The cosine graph of the smoothness loss (METHODS.md §4): the GKD graph with negative similarities
 * clamped — with negatives kept the normalised graph is unbounded below and the loss does not learn.
 */
export const SMOOTHNESS_LGG: LggOptions = LggOptionsSchema.parse({ negatives: 'clamp' });
