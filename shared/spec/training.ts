import { z } from 'zod';
import { LabFailure } from '../result.js';
import { strictObject } from '../strict-object.js';

/** Learning-rate schedule, discriminated by `type`. Epochs are 0-based boundaries. */
export const ScheduleSchema = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('constant') }),
  strictObject({
    type: z.literal('multistep'),
    /** Epochs at which the rate is multiplied by `gamma` (e.g. [60, 120, 160]). */
    milestones: z.array(z.number().int().positive()).default([]),
    /** Multiplier applied at each milestone (unitless). */
    gamma: z.number().positive().max(1).default(0.2),
  }),
  strictObject({
    type: z.literal('cosine'),
    /** Final learning rate reached at the last step. */
    minLr: z.number().nonnegative().default(0),
  }),
]);
/** A parsed schedule. */
export type Schedule = z.infer<typeof ScheduleSchema>;

/** Optimisation and data recipe of a run. */
export const TrainingSchema = strictObject({
  /** Number of passes over the training split. */
  epochs: z.number().int().positive().max(10000).default(10),
  /** Examples per optimiser step. */
  batchSize: z.number().int().positive().max(8192).default(128),
  /** Initial learning rate. */
  lr: z.number().positive().max(100).default(0.1),
  /** SGD momentum (0 = plain SGD). */
  momentum: z.number().min(0).max(0.9999).default(0.9),
  /** Nesterov momentum (PyTorch semantics). */
  nesterov: z.boolean().default(false),
  /** L2 weight decay added to the gradient (PyTorch `weight_decay`), applied to every parameter. */
  weightDecay: z.number().min(0).max(1).default(5e-4),
  /** Learning-rate schedule. */
  schedule: ScheduleSchema.default({ type: 'constant' }),
  /** Augmentation applied to training batches only. */
  augment: strictObject({
    /** Random crop after zero padding by this many pixels on each side (0 = off). */
    cropPadding: z.number().int().min(0).max(64).default(0),
    /** Random horizontal flip with probability 1/2. */
    flip: z.boolean().default(false),
  }).default({ cropPadding: 0, flip: false }),
  /** Per-channel normalisation with the dataset's mean and std (stored at import). */
  normalize: z.boolean().default(true),
  /**
   * Per-channel constants used instead of the statistics measured at import when `normalize` is on
   * (a recipe's published values, e.g. CIFAR-10's mean (0.4914, 0.4822, 0.4465), std (0.2023,
   * 0.1994, 0.2010)); pixel units in [0, 1]; null = the measured ones.
   */
  normalizeConstants: strictObject({
    /** Mean per channel. */
    mean: z.array(z.number()).min(1).max(16),
    /** Standard deviation per channel (> 0). */
    std: z.array(z.number().positive()).min(1).max(16),
  })
    .nullable()
    .default(null),
  /** Fraction of the training split held out for validation (seeded); 0 = none. */
  validationFraction: z.number().min(0).max(0.5).default(0),
  /** Use only this many training examples (class-balanced, seeded); null = all. */
  trainSubset: z.number().int().positive().nullable().default(null),
  /** Cap on optimiser steps per epoch (quick presets); null = a full pass. */
  stepsPerEpoch: z.number().int().positive().nullable().default(null),
  /** Evaluate on at most this many test examples each epoch; null = the whole test split. */
  evalSubset: z.number().int().positive().nullable().default(null),
  /** Seed of initialisation, shuffling, augmentation and splits. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  /** Save a checkpoint every this many epochs (the last epoch is always saved). */
  checkpointEvery: z.number().int().positive().default(1),
  /** Stop the run as diverged when the training loss exceeds this value or is not finite. */
  divergenceLoss: z.number().positive().default(1e6),
});
/** A parsed training recipe. */
export type Training = z.infer<typeof TrainingSchema>;

/**
 * The input normalisation of a run: none, the recipe's constants (`training.normalizeConstants`, one
 * value per channel of the dataset), or the per-channel statistics measured at import.
 */
export function runNormalization(
  t: Pick<Training, 'normalize' | 'normalizeConstants'>,
  meta: { mean: number[]; std: number[] },
  shape: readonly number[],
): { mean: number[]; std: number[] } | null {
  if (!t.normalize) return null;
  const c = t.normalizeConstants;
  if (!c) return { mean: meta.mean, std: meta.std };
  const channels = shape.length === 3 ? (shape[2] ?? 1) : meta.mean.length;
  if (c.mean.length !== channels || c.std.length !== channels)
    throw new LabFailure(
      'invalid-spec',
      `training.normalizeConstants: ${c.mean.length} mean and ${c.std.length} std values for a dataset with ${channels} channel(s)`,
    );
  return { mean: [...c.mean], std: [...c.std] };
}

/** The fixed, class-balanced probe batch whose LGGs are snapshotted (METHODS.md §6). */
export const ProbeSchema = strictObject({
  /** Examples per class taken from the test split. */
  perClass: z.number().int().positive().max(100).default(10),
  /** Seed of the probe selection (independent of the training seed so runs compare). */
  seed: z.number().int().min(0).default(0),
  /** Snapshot epochs: `all`, or explicit 1-based epochs (0 = before training). */
  epochs: z.union([z.literal('all'), z.array(z.number().int().min(0))]).default('all'),
});
/** A parsed probe configuration. */
export type Probe = z.infer<typeof ProbeSchema>;

/** Compute backends in preference order; `auto` picks the first that loads. */
export const BackendChoiceSchema = z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
/** A backend choice. */
export type BackendChoice = z.infer<typeof BackendChoiceSchema>;

/**
 * CPU threads a run trains with: `auto` (the cores free when it starts, at most the batch size) or
 * an explicit count. More than one runs data-parallel replicas (wasm and cpu backends only); a
 * given count is bit-reproducible, different counts agree to float32 rounding.
 */
export const ThreadsSchema = z.union([z.literal('auto'), z.number().int().min(1).max(256)]);
/** A thread choice. */
export type ThreadsChoice = z.infer<typeof ThreadsSchema>;
