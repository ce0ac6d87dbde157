import { z } from 'zod';
import { strictObject } from '../strict-object.js';

const positiveInt = z.number().int().positive();

/** Multi-layer perceptron on the flattened input; ReLU after every hidden layer. */
export const MlpSpecSchema = strictObject({
  arch: z.literal('mlp'),
  /** Widths of the hidden layers (units), input side first. */
  hidden: z.array(positiveInt.max(65536)).min(1).max(16).default([256, 128]),
});

/**
 * The reference CNN: conv3×3 (32w) → ReLU → maxpool 2 → conv3×3 (64w) → ReLU → maxpool 2 →
 * dense (128w) → ReLU → dense (outputs). `width` multiplies every width (2 = the usual teacher).
 */
export const RefCnnSpecSchema = strictObject({
  arch: z.literal('ref-cnn'),
  /** Width multiplier (unitless, > 0); widths are rounded down, minimum 1 channel. */
  width: z.number().positive().max(16).default(1),
});

/** WideResNet-depth-width (METHODS.md §3): stage widths int(16w), int(32w), int(64w), first conv 16. */
export const WrnSpecSchema = strictObject({
  arch: z.literal('wrn'),
  /** Total depth; must be 6n + 4 (e.g. 10, 16, 22, 28, 40). */
  depth: positiveInt
    .max(202)
    .refine((d) => d >= 10 && (d - 4) % 6 === 0, {
      message: 'depth must be 6n + 4 with n ≥ 1 (10, 16, 22, 28, …)',
    })
    .default(28),
  /** Width factor; may be fractional (0.5 gives stage widths 8, 16, 32). */
  width: z.number().positive().max(16).default(1),
});

/** Pre-activation ResNet-18 (BN → ReLU → conv), 17 ReLU outputs tapped. */
export const PreActResNetSpecSchema = strictObject({
  arch: z.literal('preact-resnet18'),
  /** Width multiplier of the base 64 channels (1 = the paper's network). */
  width: z.number().positive().max(4).default(1),
  /**
   * The authors' Parseval network (METHODS.md §7): every convolution uses its weight ÷ √(2·k_h·k_w + 1)
   * in the forward pass, each block returns 0.5·out + 0.5·shortcut. Same parameters as the plain one.
   */
  parseval: z.boolean().default(false),
});

/** One of the lab's architectures, discriminated by `arch`. */
export const ModelSpecSchema = z.discriminatedUnion('arch', [
  MlpSpecSchema,
  RefCnnSpecSchema,
  WrnSpecSchema,
  PreActResNetSpecSchema,
]);

/** A parsed model spec. */
export type ModelSpec = z.infer<typeof ModelSpecSchema>;
/** Architecture identifiers. */
export type Arch = ModelSpec['arch'];
/** All architecture identifiers, in menu order. */
export const ARCHS: readonly Arch[] = ['mlp', 'ref-cnn', 'wrn', 'preact-resnet18'];

/**
 * Which representations a loss or metric reads: `stages` (one per stage, the GKD default), `relu`
 * (every ReLU output, the robustness default) or explicit tap names of the model.
 */
export const TapSelectionSchema = z.union([z.enum(['stages', 'relu']), z.array(z.string().min(1)).min(1)]);
/** A parsed tap selection. */
export type TapSelection = z.infer<typeof TapSelectionSchema>;
