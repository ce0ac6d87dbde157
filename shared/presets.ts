import { parseExperimentSpec } from './spec/index.js';
import type { ExperimentKind, ExperimentSpec, ExperimentSpecInput } from './spec/experiments.js';

/** A named starting point for an experiment. */
export interface PresetInfo {
  /** Stable id used by `lgg-lab run --preset <id>`. */
  id: string;
  /** Experiment kind. */
  kind: ExperimentKind;
  /** `paper` reproduces the authors' recipe; `quick` shows the effect on MNIST in minutes on a CPU. */
  tier: 'paper' | 'quick';
  /** One line for menus and `lgg-lab presets`. */
  description: string;
  /** True when a teacher (run or checkpoint) must be supplied before starting. */
  needsTeacher: boolean;
  /** The spec (teacher left as a placeholder when `needsTeacher`). */
  spec: ExperimentSpecInput;
}

/** Placeholder teacher of distillation presets; replaced by the user's choice. */
export const TEACHER_PLACEHOLDER = '<choose a teacher run>';

/** The CIFAR-10 recipes' published normalisation (METHODS.md §3, §7), not the one measured at import. */
const CIFAR_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] };

const cifarTraining = {
  epochs: 200,
  batchSize: 128,
  lr: 0.1,
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: { type: 'multistep' as const, milestones: [60, 120, 160], gamma: 0.2 },
  augment: { cropPadding: 4, flip: true },
  normalize: true,
  normalizeConstants: CIFAR_NORMALIZATION,
};

const mnistQuick = {
  epochs: 2,
  batchSize: 64,
  lr: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  schedule: { type: 'cosine' as const, minLr: 0 },
  normalize: true,
};

/** Every preset, quick ones first (each spec records the preset it came from: see {@link withId}). */
const DEFINED: readonly PresetInfo[] = [
  {
    id: 'mnist-cnn-quick',
    kind: 'train',
    tier: 'quick',
    description: 'Reference CNN on MNIST, 2 epochs: ≥ 98.5 % test accuracy in minutes on a CPU',
    needsTeacher: false,
    spec: { kind: 'train', dataset: 'mnist', model: { arch: 'ref-cnn', width: 1 }, training: mnistQuick },
  },
  {
    id: 'mnist-mlp-quick',
    kind: 'train',
    tier: 'quick',
    description: 'MLP 784-256-128-10 on MNIST, 3 epochs, seconds per epoch',
    needsTeacher: false,
    spec: {
      kind: 'train',
      dataset: 'mnist',
      model: { arch: 'mlp', hidden: [256, 128] },
      training: { ...mnistQuick, epochs: 3 },
      probeTaps: 'relu',
    },
  },
  {
    id: 'mnist-teacher-quick',
    kind: 'train',
    tier: 'quick',
    description:
      'A 2×-wide reference CNN on MNIST (1 epoch on 20,000 examples), the teacher of the quick distillation study',
    needsTeacher: false,
    spec: {
      kind: 'train',
      dataset: 'mnist',
      model: { arch: 'ref-cnn', width: 2 },
      // lr 0.05 (mnistQuick) killed this wider network's ReLUs near step 350 (loss back to ln 10).
      training: { ...mnistQuick, epochs: 1, lr: 0.02, trainSubset: 20000 },
    },
  },
  {
    id: 'mnist-gkd-quick',
    kind: 'distill',
    tier: 'quick',
    description: 'GKD on MNIST: a 1/4-wide CNN student mimics the teacher’s LGGs on 3 stages',
    needsTeacher: true,
    spec: {
      kind: 'distill',
      method: 'gkd',
      dataset: 'mnist',
      teacher: { run: TEACHER_PLACEHOLDER },
      model: { arch: 'ref-cnn', width: 0.25 },
      // lr 0.05 (the other quick presets) let KD's T²-scaled gradient kill this narrow student on
      // 2 of 3 seeds; at 0.02 every method of the study trains.
      training: { ...mnistQuick, epochs: 1, lr: 0.02, trainSubset: 10000 },
      gkd: { weight: 25, reduction: 'sum' },
    },
  },
  {
    id: 'mnist-geometry-quick',
    kind: 'geometry',
    tier: 'quick',
    description:
      'Cosine-LGG smoothness loss on a 32-d MNIST embedding (20,000 training images + 5,000 for choosing the classifier, 1 epoch), classified by 1-NN, 10-NN, class means',
    needsTeacher: false,
    spec: {
      kind: 'geometry',
      method: 'smoothness',
      dataset: 'mnist',
      model: { arch: 'ref-cnn', width: 1 },
      embeddingDim: 32,
      similarity: 'cosine',
      smoothness: { weight: 10, normalize: true },
      // 25,000 balanced images: 20,000 train, 5,000 held out to choose the classifier reported as acc.
      training: { ...mnistQuick, epochs: 1, trainSubset: 25000, validationFraction: 0.2 },
    },
  },
  {
    id: 'mnist-robust-quick',
    kind: 'robust',
    tier: 'quick',
    description:
      'Laplacian smoothness regulariser (γ = 0.0015, m = 2, batch 64) on every ReLU of a half-width MNIST CNN, 20,000 training images; ε sized for MNIST; evaluated on 500 test images (DeepFool on 250) with 2 noise and dropout draws (the paper: 10,000 and 40)',
    needsTeacher: false,
    spec: {
      kind: 'robust',
      method: 'laplacian',
      dataset: 'mnist',
      model: { arch: 'ref-cnn', width: 0.5 },
      // Raw σ with m = 2 grows ≈ B³: at batch 64, γ = 0.0015 flattens σ^l; γ = 0.003 killed a layer.
      training: { ...mnistQuick, epochs: 1, trainSubset: 20000, evalSubset: 2000 },
      laplacian: { gamma: 0.0015, m: 2, taps: 'relu', sigma: 'raw' },
      probeTaps: 'relu',
      evaluation: {
        subset: 500,
        gaussian: { epsilons: [0.5, 1, 1.5], sigma: 0.5, draws: 2 },
        fgsm: { epsilons: [0.05, 0.1, 0.2], snrDb: [20] },
        pgd: [
          { epsilon: 0.1, step: 0.01, iterations: 20, randomStart: false },
          { epsilon: 0.15, step: 0.0375, iterations: 10, randomStart: true },
        ],
        // DeepFool on every 2nd of the 500 (250 images): on MNIST the clip to [0, 1] absorbs most of
        // each step, ≈ 16 steps per image, the most expensive protocol of the quick suite.
        deepfool: { steps: 100, candidates: 10, overshoot: 0.05, every: 2 },
        dropout: [0.25, 0.4],
        dropoutDraws: 2,
        quantizationBits: [5],
      },
    },
  },
  {
    id: 'cifar10-wrn28-1-teacher',
    kind: 'train',
    tier: 'paper',
    description: 'WRN-28-1 teacher on CIFAR-10 (369,690 parameters), the GKD paper recipe, 200 epochs',
    needsTeacher: false,
    spec: {
      kind: 'train',
      dataset: 'cifar10',
      model: { arch: 'wrn', depth: 28, width: 1 },
      training: cifarTraining,
    },
  },
  {
    id: 'cifar10-gkd-paper',
    kind: 'distill',
    tier: 'paper',
    description:
      'GKD WRN-28-1 → WRN-28-0.5 on CIFAR-10, λ = 25, dense cosine LGG, 3 stage outputs (the teacher must use the same normalisation constants)',
    needsTeacher: true,
    spec: {
      kind: 'distill',
      method: 'gkd',
      dataset: 'cifar10',
      teacher: { run: TEACHER_PLACEHOLDER },
      model: { arch: 'wrn', depth: 28, width: 0.5 },
      training: cifarTraining,
      gkd: { weight: 25, reduction: 'sum' },
    },
  },
  {
    id: 'cifar10-geometry-paper',
    kind: 'geometry',
    tier: 'paper',
    description:
      'Graph smoothness loss (RBF, α relative to the batch’s mean distance) on a 64-d WRN-28-1 embedding of CIFAR-10 vs cross-entropy; classifier chosen on 2,500 held-out training images',
    needsTeacher: false,
    spec: {
      kind: 'geometry',
      method: 'smoothness',
      dataset: 'cifar10',
      model: { arch: 'wrn', depth: 28, width: 1 },
      embeddingDim: 64,
      // The original work's RBF kernel with the lab's scale guard: raw RBF collapses (MNIST study).
      similarity: 'rbf',
      rbfAlpha: 1,
      rbfScale: 'mean-distance',
      smoothness: { weight: 10, normalize: true },
      training: { ...cifarTraining, validationFraction: 0.05 },
    },
  },
  {
    id: 'cifar10-robust-paper',
    kind: 'robust',
    tier: 'paper',
    description:
      'PreActResNet18 (Parseval network for P and P+R), Laplacian γ = 0.01, m = 2 on 17 ReLUs, Parseval β = 0.01, 100 epochs; the authors’ protocols on the 10,000 test images, 40 noise and dropout draws',
    needsTeacher: false,
    spec: {
      kind: 'robust',
      method: 'parseval+laplacian',
      dataset: 'cifar10',
      model: { arch: 'preact-resnet18', width: 1 },
      training: {
        epochs: 100,
        batchSize: 100,
        lr: 0.1,
        momentum: 0.9,
        weightDecay: 5e-4,
        schedule: { type: 'multistep', milestones: [50], gamma: 0.01 },
        normalize: true,
        normalizeConstants: CIFAR_NORMALIZATION,
      },
      laplacian: { gamma: 0.01, m: 2, taps: 'relu', sigma: 'raw' },
      parseval: { beta: 0.01, network: true },
      probeTaps: 'relu',
      // The authors' test scripts (METHODS.md §7): the whole test set, ε = 0.2 noise and 40 draws,
      // FGSM at 33 dB, PGD ε = 0.01 × 20, DeepFool on every 10th image, dropout p = 0.25 / 0.4 with
      // 40 draws, 5-bit weights; the lab's variants of each are kept beside them.
      evaluation: {
        subset: null,
        gaussian: { epsilons: [0.2], sigma: 0.5, draws: 40 },
        fgsm: { epsilons: [], snrDb: [33] },
        pgd: [{ epsilon: 0.01, step: 0.002, iterations: 20, randomStart: false }],
        deepfool: { steps: 100, candidates: 10, overshoot: 0.05, every: 10 },
        dropout: [0.25, 0.4],
        dropoutDraws: 40,
        quantizationBits: [5],
      },
    },
  },
];

/**
 * The preset with its id recorded in its spec (`preset`), so a run made from it — by the CLI, the UI
 * or a study — knows it, and a paper preset's report can put the paper's numbers beside the run's.
 */
function withId(p: PresetInfo): PresetInfo {
  return { ...p, spec: { ...p.spec, preset: p.id } };
}

/** Every preset, quick ones first. */
export const PRESETS: readonly PresetInfo[] = DEFINED.map(withId);

/** Looks a preset up by id. */
export function findPreset(id: string): PresetInfo | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** The preset's spec with defaults filled (throws if a preset were ever invalid: a bug, tested). */
export function presetSpec(preset: PresetInfo): ExperimentSpec {
  const r = parseExperimentSpec(preset.spec);
  if (!r.ok) throw new Error(`preset ${preset.id}: ${r.error.message}`);
  return r.value;
}
