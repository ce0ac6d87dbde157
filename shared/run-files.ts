import { z } from 'zod';
import type { BesideRow, RunReference } from './paper-reference.js';
import type { LabError } from './result.js';
import type {
  EpochRecord,
  MetricsRecord,
  ProbeSnapshot,
  RunReport,
  RunState,
  RunStatus,
  StepRecord,
} from './run-types.js';
import { SLURM_PHASES, SlurmOptionsSchema, type SlurmTaskRecord, type SlurmTaskState } from './executor.js';
import { ModelSpecSchema } from './spec/model.js';

/**
 * Schemas of the files a run folder holds. A run folder is untrusted input (copied from another
 * machine, a cluster job, a crash): every file is validated when read, so a damaged one is reported
 * with its name and the reason instead of surfacing later as an internal error.
 *
 * The objects are `loose`: fields a newer lab (or another executor) added survive a read-modify-write
 * of status.json. Each schema is checked at compile time against its interface in run-types.ts, so a
 * field added to an interface without its schema fails to compile (see the `Same` checks below).
 */

/** A metric value: JSON writes NaN and ±Infinity as null, which reads back as NaN. */
const metric = z.union([z.number(), z.null().transform(() => Number.NaN)]);
const count = z.number().int().min(0);
const isoTime = z.string().min(1).max(64);

/** A LabError as stored in status.json. */
export const LabErrorSchema = z.object({
  code: z.string().min(1).max(200),
  message: z.string().max(100_000),
  details: z.unknown().optional(),
});

/** Every state status.json may hold (`damaged` is never written: it is how an unreadable run is listed). */
export const STORED_RUN_STATES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;

/** A run's Slurm task as its status records it (written by the submitting lab and the task). */
const slurmTaskShape = z.object({
  kind: z.literal('slurm'),
  jobId: z.string().regex(/^\d+$/).max(20).optional(),
  arrayIndex: count,
  script: z.string().max(4096),
  submittedAt: isoTime.optional(),
  // Reused when the run is resubmitted: validated as strictly as options typed in.
  options: SlurmOptionsSchema.optional(),
  taskJobId: z.string().regex(/^\d+$/).max(20).optional(),
  node: z.string().max(1000).optional(),
  restarts: count.optional(),
});
const slurmStateShape = z.object({
  phase: z.enum(SLURM_PHASES),
  state: z.string().max(100),
  task: z.string().max(100),
  node: z.string().max(1000).optional(),
  reason: z.string().max(10_000).optional(),
  exitCode: z.string().max(20).optional(),
  source: z.enum(['squeue', 'sacct', 'none']),
  checkedAt: isoTime,
});

const statusShape = z.object({
  id: z.string().min(1).max(200),
  state: z.enum(STORED_RUN_STATES),
  createdAt: isoTime,
  updatedAt: isoTime,
  startedAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  epoch: count,
  totalEpochs: z.number().int().min(1),
  stepsPerEpoch: z.number().int().positive().optional(),
  pid: z.number().int().positive().optional(),
  holder: z
    .object({
      hostname: z.string().min(1).max(255),
      pid: z.number().int().positive(),
      startTicks: count.optional(),
    })
    .optional(),
  backend: z.string().max(100).optional(),
  threads: z.number().int().min(1).max(4096).optional(),
  error: LabErrorSchema.optional(),
  executor: slurmTaskShape.loose().optional(),
  // Derived by the host from Slurm and never written; the store drops one found in a file.
  slurm: slurmStateShape.optional(),
});
/** `status.json`. */
export const RunStatusSchema = statusShape.loose();

const splitShape = z.object({ loss: metric, acc: metric }).catchall(metric);
const epochShape = z.object({
  type: z.literal('epoch'),
  epoch: z.number().int().min(1),
  step: count,
  lr: metric,
  seconds: metric,
  samplesPerSec: metric,
  train: splitShape,
  val: splitShape.optional(),
  test: splitShape,
});
const stepShape = z.object({
  type: z.literal('step'),
  epoch: z.number().int().min(1),
  step: count,
  lr: metric,
  loss: metric,
  acc: metric,
  components: z.record(z.string(), metric),
});
/** One line of `metrics.jsonl`. */
export const MetricsRecordSchema = z.discriminatedUnion('type', [epochShape.loose(), stepShape.loose()]);

const tableShape = z.object({
  id: z.string().min(1),
  title: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(z.union([z.string(), metric]))),
});
const besideShape = z.object({
  metric: z.string().min(1),
  protocol: z.string().min(1),
  label: z.string(),
  run: z.number().nullable(),
  paper: z.number(),
  unit: z.enum(['percent', 'raw']),
  note: z.string().optional(),
});
const referenceShape = z.object({
  preset: z.string().min(1),
  source: z.string(),
  setting: z.string(),
  rows: z.array(besideShape.loose()),
  orderings: z.array(z.string()),
  notes: z.array(z.string()),
});
const reportShape = z.object({
  runId: z.string().min(1),
  kind: z.enum(['train', 'distill', 'geometry', 'robust']),
  method: z.string().min(1),
  testAcc: metric,
  bestTestAcc: metric,
  testLoss: metric,
  seconds: metric,
  parameters: count,
  metrics: z.record(z.string(), metric),
  tables: z.array(tableShape.loose()),
  reference: referenceShape.loose().optional(),
});
/** `report.json`. */
export const RunReportSchema = reportShape.loose();

/** A path relative to the run folder, as files inside it record them. */
const relPath = z.string().min(1).max(1000);
const probeTapShape = z.object({
  tap: z.string().min(1),
  dim: count,
  sigma1: metric,
  sigma2: metric,
  sigma1Pairs: metric,
  sparsity: metric,
  files: z.object({ graph: relPath, teacher: relPath.optional(), diff: relPath.optional() }),
  sqFrobenius: metric.optional(),
});
const probeShape = z.object({
  epoch: count,
  labels: z.array(z.number().int().min(0)),
  graph: z.string(),
  taps: z.array(probeTapShape),
  embedding2d: z.array(z.tuple([metric, metric])).optional(),
  perturbed: z.record(z.string(), z.array(metric)).optional(),
});
/** `probes/eNNNN/index.json`. */
export const ProbeSnapshotSchema = probeShape.loose();

/** Name of a checkpoint folder: `e<epoch, 4 digits>-s<step, 9 digits>` (sorts in training order). */
export const CHECKPOINT_NAME = /^e\d{4,}-s\d{9,}$/;

/** `checkpoints/latest.json`: which checkpoint folder is the newest (a hint; the folders are the truth). */
export const LatestPointerSchema = z.object({
  dir: z.string().regex(CHECKPOINT_NAME, 'not a checkpoint folder name (e0001-s000000123)'),
  epoch: count,
  step: count,
});
/** A parsed latest.json. */
export type LatestPointer = z.infer<typeof LatestPointerSchema>;

const weightsManifest = z
  .array(
    z.object({
      paths: z.array(z.string().min(1)).length(1),
      weights: z.array(
        z.object({
          name: z.string().min(1),
          shape: z.array(count),
          dtype: z.enum(['float32', 'int32']),
        }),
      ),
    }),
  )
  .length(1);

/**
 * `model.json` of a checkpoint folder: what rebuilds the network, where training stood, the weights'
 * manifest and checksums. Not loose: it is written once, with its folder, and only ever read back.
 */
export const CheckpointMetaSchema = z.object({
  format: z.literal('lgg-lab-checkpoint'),
  formatVersion: z.literal(1),
  model: ModelSpecSchema,
  inputShape: z.array(z.number().int().positive()).min(1).max(3),
  outputDim: z.number().int().positive(),
  classes: z.number().int().positive(),
  normalization: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  state: z.object({
    epoch: count,
    step: count,
    stepInEpoch: count,
    accum: z.record(z.string(), metric).optional(),
    seconds: metric,
  }),
  weightsManifest,
  optimizerManifest: weightsManifest.optional(),
  /**
   * SHA-256 (hex) of each binary file of the folder, written with them; absent in checkpoints
   * written before checksums existed, which are then only checked by size.
   */
  checksums: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)).optional(),
  createdAt: isoTime,
});
/** A parsed checkpoint `model.json`. */
export type CheckpointMeta = z.infer<typeof CheckpointMetaSchema>;

/**
 * True when two types are identical, optional fields included (mutual assignability would accept a
 * field optional on one side and missing on the other): compile-time check of schemas against run-types.ts.
 */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const statusAgrees: Same<
  Omit<z.output<typeof statusShape>, 'state' | 'executor'>,
  Omit<RunStatus, 'state' | 'executor'>
> = true;
const statesAgree: Same<z.output<typeof statusShape>['state'] | 'damaged', RunState> = true;
const errorAgrees: Same<z.output<typeof LabErrorSchema>, LabError> = true;
const epochAgrees: Same<
  Omit<z.output<typeof epochShape>, 'train' | 'val' | 'test'>,
  Omit<EpochRecord, 'train' | 'val' | 'test'>
> = true;
const stepAgrees: Same<z.output<typeof stepShape>, StepRecord> = true;
const reportAgrees: Same<
  Omit<z.output<typeof reportShape>, 'tables' | 'reference'>,
  Omit<RunReport, 'tables' | 'reference'>
> = true;
const besideAgrees: Same<z.output<typeof besideShape>, BesideRow> = true;
const referenceAgrees: Same<Omit<z.output<typeof referenceShape>, 'rows'>, Omit<RunReference, 'rows'>> = true;
const probeAgrees: Same<Omit<z.output<typeof probeShape>, 'taps'>, Omit<ProbeSnapshot, 'taps'>> = true;
const metricsAgree: Same<z.output<typeof MetricsRecordSchema>['type'], MetricsRecord['type']> = true;
const taskAgrees: Same<z.output<typeof slurmTaskShape>, SlurmTaskRecord> = true;
const slurmAgrees: Same<z.output<typeof slurmStateShape>, SlurmTaskState> = true;
void [
  statusAgrees,
  statesAgree,
  errorAgrees,
  epochAgrees,
  stepAgrees,
  reportAgrees,
  besideAgrees,
  referenceAgrees,
  probeAgrees,
  metricsAgree,
  taskAgrees,
  slurmAgrees,
];
