/**
 * The canonical dataset store format: `datasets/<id>/meta.json` plus NumPy `.npy` tensors
 * (uint8 NHWC images, int32 labels, float32 features), written once by an importer.
 */

/** Version of the on-disk dataset layout. */
export const DATASET_FORMAT_VERSION = 1;

/** Source formats the importers understand. */
export type SourceFormat =
  | 'builtin-mnist'
  | 'synthetic'
  | 'idx'
  | 'cifar10'
  | 'cifar100'
  | 'imagefolder'
  | 'npy'
  | 'npz'
  | 'csv'
  | 'corruptions';

/** One split of a dataset, stored as `<split>-x.npy` and `<split>-y.npy`. */
export interface SplitMeta {
  /** Number of examples. */
  count: number;
  /** Examples per class, indexed by label. */
  countsPerClass: number[];
  /** File of the inputs, relative to the dataset folder. */
  inputs: string;
  /** File of the int32 labels, relative to the dataset folder. */
  labels: string;
}

/** One corruption of a corruption suite, stored as one `.npy` of severities × examples. */
export interface CorruptionMeta {
  /** Corruption name, e.g. `gaussian_noise`. */
  name: string;
  /** Number of severities (1 or 5). */
  severities: number;
  /** File of the uint8 images, N = severities × examplesPerSeverity. */
  file: string;
}

/** `meta.json` of a stored dataset. */
export interface DatasetMeta {
  /** Layout version, {@link DATASET_FORMAT_VERSION}. */
  formatVersion: number;
  /** Folder name and identifier (lower-case, `[a-z0-9-]`). */
  id: string;
  /** Display name. */
  name: string;
  /** `images` (uint8 NHWC), `tabular` (float32 features) or a `corruptions` evaluation suite. */
  kind: 'images' | 'tabular' | 'corruptions';
  /** Where it came from. */
  source: {
    /** Detected source format. */
    format: SourceFormat;
    /** Path or description of the source at import time. */
    path: string;
    /** ISO-8601 time of the import. */
    importedAt: string;
  };
  /** SHA-256 (hex) of the source bytes, to recognise re-imports of the same source. */
  checksum: string;
  /** Per-example shape: [height, width, channels] for images, [features] for tabular. */
  shape: number[];
  /** Class names indexed by label. */
  classNames: string[];
  /** Splits present (`train` and `test` for trainable sets; `test` only for corruption suites). */
  splits: { train?: SplitMeta; test?: SplitMeta };
  /** Per-channel (or per-feature) mean of the training inputs, images scaled to [0, 1]. */
  mean: number[];
  /** Per-channel (or per-feature) standard deviation of the training inputs. */
  std: number[];
  /** For corruption suites: the clean dataset they were derived from. */
  linkedTo?: string;
  /** For corruption suites: the corruptions and their files; labels in `test.labels`. */
  corruptions?: CorruptionMeta[];
  /** Size of the stored files in bytes. */
  bytes: number;
}

/** What the importer found at a path, shown before committing the import. */
export interface ImportPreview {
  /** Detected format. */
  format: SourceFormat;
  /** Proposed display name (editable). */
  name: string;
  /** Kind of dataset that would be stored. */
  kind: DatasetMeta['kind'];
  /** Per-example shape. */
  shape: number[];
  /** Element type of the source inputs, e.g. `uint8`, `float32`. */
  dtype: string;
  /** Class names. */
  classNames: string[];
  /** Split name → counts per class. */
  splits: Record<string, { count: number; countsPerClass: number[] }>;
  /** A few sample images (uint8 NHWC, row-major), with their labels. */
  samples: { height: number; width: number; channels: number; label: number; pixels: number[] }[];
  /** Corruption names for suites. */
  corruptions?: string[];
  /** Id of an existing dataset with the same checksum, if the source was imported before. */
  duplicateOf?: string;
  /** What needs a look before importing (e.g. "layout ambiguous, read as NHWC"). */
  warnings: string[];
  /** What the importer did, for information (e.g. "labels taken from the fine label set"). */
  notes?: string[];
}

/** Progress of a running import. */
export interface ImportProgress {
  /** Import job id. */
  jobId: string;
  /** Current phase. */
  phase: 'reading' | 'decoding' | 'writing' | 'statistics' | 'done' | 'failed' | 'cancelled';
  /** Fraction done in [0, 1]. */
  fraction: number;
  /** Examples processed so far. */
  done: number;
  /** Total examples, when known. */
  total: number;
  /** Error message when failed. */
  message?: string;
  /** The dataset id when done. */
  datasetId?: string;
}
