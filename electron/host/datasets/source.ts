import type { DatasetMeta, SourceFormat } from '../../../shared/dataset-types.js';
import type { DatasetWriter } from './dataset-writer.js';
import type { ImportOptions } from './import-options.js';
import type { JobContext } from './job-context.js';

/** One image for previews and sample grids (uint8 NHWC, row-major). */
export interface SampleImage {
  /** Height in pixels. */
  height: number;
  /** Width in pixels. */
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** Class index. */
  label: number;
  /** height × width × channels values in [0, 255]. */
  pixels: number[];
}

/** A split as it will be stored. */
export interface SourceSplit {
  /** `train` or `test`. */
  name: 'train' | 'test';
  /** Number of examples. */
  count: number;
  /** Examples per class. */
  countsPerClass: number[];
}

/** A corruption of a suite as it will be stored. */
export interface SourceCorruption {
  /** Corruption name (also the file stem). */
  name: string;
  /** Severities (1 or 5). */
  severities: number;
}

/**
 * A parsed, validated source, ready to preview or to stream into a {@link DatasetWriter}. Opening
 * reads headers and labels (so counts per class and label ranges are known); `emit` streams the
 * inputs. Every failure is a LabFailure.
 */
export interface ImportSource {
  /** Detected format. */
  format: SourceFormat;
  /** Proposed display name. */
  name: string;
  /** Kind of the stored dataset. */
  kind: DatasetMeta['kind'];
  /** Stored per-example shape: [H, W, C] or [features]. */
  shape: number[];
  /** Element type of the source inputs. */
  dtype: string;
  /** Class names indexed by label. */
  classNames: string[];
  /** Splits that will be stored (test only for suites). */
  splits: SourceSplit[];
  /** Corruptions, for suites. */
  corruptions?: SourceCorruption[];
  /** Clean dataset a suite belongs to. */
  linkedTo?: string;
  /** Mean and std to store instead of computing them (suites reuse the clean set's). */
  presetStats?: { mean: number[]; std: number[] };
  /** What needs a look before importing. */
  warnings: string[];
  /** What the importer did, for information only (shown as notes, not warnings). */
  notes?: string[];
  /** Files whose bytes define the checksum, relative to `root` (empty string: `root` is the file). */
  files: string[];
  /** Folder (or file) the checksum files are relative to; a description for generated sets. */
  root: string;
  /** Checksum precomputed by the source (generated sets); otherwise the files are hashed. */
  checksum?: string;
  /** Up to `count` sample images (empty for tabular sets). */
  samples(count: number, ctx: JobContext): Promise<SampleImage[]>;
  /** Streams every split (and corruption) into the writer. */
  emit(out: DatasetWriter, ctx: JobContext): Promise<void>;
}

/** What openers receive. */
export interface OpenContext {
  /** Normalised options. */
  options: ImportOptions;
  /** Cancellation and yielding. */
  job: JobContext;
  /** Datasets already in the store (suites look for their clean set). */
  existing: () => Promise<DatasetMeta[]>;
}

/** Opens a source at a path. */
export type SourceOpener = (sourcePath: string, ctx: OpenContext) => Promise<ImportSource>;
