import { z } from 'zod';
import { strictObject } from '../strict-object.js';
import { LggOptionsSchema, SMOOTHNESS_LGG } from '../lgg-options.js';
import { ModelSpecSchema, TapSelectionSchema } from './model.js';
import { BackendChoiceSchema, ProbeSchema, ThreadsSchema, TrainingSchema } from './training.js';
import { EvaluationSchema } from './evaluation.js';

/** Current version of the experiment spec format. */
export const SPEC_VERSION = 1;

/** Fields shared by every experiment kind. */
const common = {
  /** Format version; older versions are migrated on load. */
  version: z.literal(SPEC_VERSION).default(SPEC_VERSION),
  /** Human-readable run name (defaults to kind · method · model · seed). */
  name: z.string().max(200).optional(),
  /** Dataset id in the dataset store (`mnist` is built in). */
  dataset: z.string().min(1).default('mnist'),
  /** Network trained by this run (the student for distillation). */
  model: ModelSpecSchema.default({ arch: 'ref-cnn', width: 1 }),
  /** Optimisation recipe. */
  training: TrainingSchema.default(TrainingSchema.parse({})),
  /** Compute backend. */
  backend: BackendChoiceSchema.default('auto'),
  /** CPU threads (data-parallel replicas on wasm and cpu): `auto` = the free cores, at most the batch size. */
  threads: ThreadsSchema.default('auto'),
  /** Probe batch and snapshot epochs. */
  probe: ProbeSchema.default(ProbeSchema.parse({})),
  /** Representations whose LGG is snapshotted on the probe batch. */
  probeTaps: TapSelectionSchema.default('stages'),
  /** Study this run belongs to, if any. */
  study: z.string().optional(),
  /** Preset the spec was made from (a paper preset puts the paper's numbers beside the run's). */
  preset: z.string().max(100).optional(),
};

/** Plain supervised training with cross-entropy (also how teachers are made). */
export const TrainSpecSchema = strictObject({
  kind: z.literal('train'),
  ...common,
  method: z.literal('ce').default('ce'),
});

/** Where a distillation teacher comes from. */
export const TeacherSourceSchema = z.union([
  /** A completed run of this lab (its final checkpoint and spec). */
  strictObject({ run: z.string().min(1) }),
  /** A checkpoint folder written by this lab (holds `model.json` with the architecture). */
  strictObject({ checkpoint: z.string().min(1) }),
]);
/** A parsed teacher source. */
export type TeacherSource = z.infer<typeof TeacherSourceSchema>;

/** Distillation methods compared on the same layer pairs (METHODS.md §3). */
export const DISTILL_METHODS = ['student', 'kd', 'rkd', 'sp', 'gkd'] as const;

/** Distillation: a student mimics a teacher (GKD) or one of the baselines. */
export const DistillSpecSchema = strictObject({
  kind: z.literal('distill'),
  ...common,
  /** `student` = CE alone; `kd` Hinton; `rkd` relational (distance, optional angle); `sp`; `gkd`. */
  method: z.enum(DISTILL_METHODS).default('gkd'),
  /** The teacher network. */
  teacher: TeacherSourceSchema,
  /** Layer pairs: `stages` pairs teacher stage k with student stage k; or explicit tap names. */
  pairs: z
    .union([z.literal('stages'), z.array(strictObject({ teacher: z.string(), student: z.string() })).min(1)])
    .default('stages'),
  /** Hinton KD: α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1−α)·CE. */
  kd: strictObject({
    temperature: z.number().positive().default(4),
    alpha: z.number().min(0).max(1).default(0.9),
  }).default({ temperature: 4, alpha: 0.9 }),
  /** RKD: distance weight (RKD-D) and angle weight (RKD-A; 0 = off). */
  rkd: strictObject({
    distanceWeight: z.number().min(0).default(25),
    angleWeight: z.number().min(0).default(0),
  }).default({ distanceWeight: 25, angleWeight: 0 }),
  /** SP: weight of ‖G_T − G_S‖²_F / B². */
  sp: strictObject({ weight: z.number().min(0).default(3000) }).default({ weight: 3000 }),
  /** GKD: λ/|P| Σ ‖A_T − A_S‖²_F with `sum` (paper) or `mean` (/B²) reduction. */
  gkd: strictObject({
    weight: z.number().min(0).default(25),
    reduction: z.enum(['sum', 'mean']).default('sum'),
    lgg: LggOptionsSchema.default(LggOptionsSchema.parse({})),
  }).default({ weight: 25, reduction: 'sum', lgg: LggOptionsSchema.parse({}) }),
});

/** Classification-geometry methods (METHODS.md §4). */
export const GEOMETRY_METHODS = ['ce', 'smoothness'] as const;

/** Classification geometry: an embedding whose LGG matches the label geometry. */
export const GeometrySpecSchema = strictObject({
  kind: z.literal('geometry'),
  ...common,
  /** `ce` baseline (C logits) or the graph `smoothness` loss on the embedding. */
  method: z.enum(GEOMETRY_METHODS).default('smoothness'),
  /** Output dimension of the embedding head for the smoothness loss. */
  embeddingDim: z.number().int().positive().max(4096).default(32),
  /** Graph of the smoothness loss: RBF exp(−α‖fᵢ − fⱼ‖) or the cosine LGG. */
  similarity: z.enum(['rbf', 'cosine']).default('cosine'),
  /** α of the RBF kernel. */
  rbfAlpha: z.number().positive().default(1),
  /**
   * Scale guard of the RBF kernel. `mean-distance`: W = exp(−α‖fᵢ − fⱼ‖ / d̄), d̄ the batch's mean
   * pairwise distance (kept in the gradient), so the loss is scale-invariant and cannot reach 0 by
   * inflating the embedding; `raw`: exp(−α‖fᵢ − fⱼ‖), the original work's kernel, which does (on
   * MNIST: embedding norms in the thousands, 10-NN ≈ 66 %).
   */
  rbfScale: z.enum(['mean-distance', 'raw']).default('mean-distance'),
  /** Options of the cosine LGG (similarity is cosine whatever this says); default clamps negatives. */
  lgg: LggOptionsSchema.default(SMOOTHNESS_LGG),
  /** Loss = weight · Σ_{yᵢ≠yⱼ} Wᵢⱼ / (normalise ? #inter-class pairs : 1). */
  smoothness: strictObject({
    weight: z.number().positive().default(1),
    normalize: z.boolean().default(true),
  }).default({ weight: 1, normalize: true }),
  /** k of the k-NN classifiers fitted on training embeddings (1 and 10 by default). */
  knn: z.array(z.number().int().positive().max(1000)).default([1, 10]),
  /** Training embeddings used to fit the classifiers; null = the whole training split. */
  fitSubset: z.number().int().positive().nullable().default(10000),
});

/** Robustness methods (METHODS.md §5): V, P, R, P+R. */
export const ROBUST_METHODS = ['vanilla', 'parseval', 'laplacian', 'parseval+laplacian'] as const;

/** Robustness: smooth variation of label smoothness across layers, optionally with Parseval. */
export const RobustSpecSchema = strictObject({
  kind: z.literal('robust'),
  ...common,
  /** Which regularisers are on. */
  method: z.enum(ROBUST_METHODS).default('laplacian'),
  /** Δ = mean |σ^l − σ^{l−1}| over consecutive taps; loss = CE + γ^m Δ. */
  laplacian: strictObject({
    gamma: z.number().positive().default(0.01),
    m: z.union([z.literal(1), z.literal(2)]).default(2),
    taps: TapSelectionSchema.default('relu'),
    /** `raw` σ (paper) or σ / #inter-class pairs (batch-size independent). */
    sigma: z.enum(['raw', 'pairs']).default('raw'),
  }).default({ gamma: 0.01, m: 2, taps: 'relu', sigma: 'raw' }),
  /** Parseval retraction W ← (1 + β)W − βWWᵀW after every step (methods `parseval`, `parseval+laplacian`). */
  parseval: strictObject({
    beta: z.number().positive().max(1).default(0.01),
    /**
     * The Parseval methods train the authors' Parseval network (the model's `parseval` variant:
     * scaled convolutions, 0.5/0.5 blocks) rather than the plain one; `vanilla` and `laplacian`
     * keep the plain network. Needs an architecture with that variant (preact-resnet18).
     */
    network: z.boolean().default(false),
  }).default({ beta: 0.01, network: false }),
  /** Evaluation suite run at the end (also available via `lgg-lab eval`). */
  evaluation: EvaluationSchema.default(EvaluationSchema.parse({})),
});

/** Any experiment, discriminated by `kind`. */
export const ExperimentSpecSchema = z.discriminatedUnion('kind', [
  TrainSpecSchema,
  DistillSpecSchema,
  GeometrySpecSchema,
  RobustSpecSchema,
]);

/** A parsed, fully defaulted experiment spec (what `runs/<id>/spec.json` holds). */
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>;
/** What a user may write: every defaulted field optional. */
export type ExperimentSpecInput = z.input<typeof ExperimentSpecSchema>;
/** Experiment kinds. */
export type ExperimentKind = ExperimentSpec['kind'];
/** The spec of one kind. */
export type SpecOf<K extends ExperimentKind> = Extract<ExperimentSpec, { kind: K }>;
/** Methods available per kind, in display order. */
export const METHODS_BY_KIND: { readonly [K in ExperimentKind]: readonly SpecOf<K>['method'][] } = {
  train: ['ce'],
  distill: DISTILL_METHODS,
  geometry: GEOMETRY_METHODS,
  robust: ROBUST_METHODS,
};
