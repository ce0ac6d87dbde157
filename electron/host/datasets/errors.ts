import { LabFailure } from '../../../shared/result.js';

/**
 * Error codes of the dataset importers and store. Every failure that leaves this module is a
 * {@link LabFailure} with one of these codes, so the UI and the CLI can react without parsing text.
 */
export type DatasetErrorCode =
  /** The bytes do not follow the format (bad magic, truncated, inconsistent counts, bad CRC…). */
  | 'dataset-corrupt'
  /** Valid bytes, but unusable as a dataset (empty class folder, labels out of range, bad option…). */
  | 'dataset-invalid'
  /** Declared or decompressed sizes beyond the caps of limits.ts. */
  | 'dataset-too-large'
  /** Nothing at the path is a format the lab reads. */
  | 'unsupported-format'
  /** An archive entry escapes its folder or is a link. */
  | 'archive-unsafe'
  /** Another dataset already has this display name. */
  | 'name-taken'
  /** The import was cancelled through its AbortSignal. */
  | 'cancelled'
  /** A path or dataset id does not exist. */
  | 'not-found'
  /** An I/O error unrelated to the content (permissions, disk full…). */
  | 'io-error';

/** Throws-ready failure with a dataset error code. */
export function failure(code: DatasetErrorCode, message: string): LabFailure {
  return new LabFailure(code, message);
}

/** `dataset-corrupt` naming the file. */
export function corrupt(file: string, what: string): LabFailure {
  return new LabFailure('dataset-corrupt', `${file}: ${what}`);
}

/** `dataset-too-large` naming the file. */
export function tooLarge(file: string, what: string): LabFailure {
  return new LabFailure('dataset-too-large', `${file}: ${what}`);
}

/** `dataset-invalid` naming the file or folder. */
export function invalid(file: string, what: string): LabFailure {
  return new LabFailure('dataset-invalid', `${file}: ${what}`);
}

/** The failure used for every cancellation. */
export function cancelled(): LabFailure {
  return new LabFailure('cancelled', 'import cancelled');
}

/**
 * Converts anything thrown inside an import into a LabFailure: LabFailures pass through, Node I/O
 * errors keep their meaning, decoder exceptions (zlib, pngjs, jpeg-js, RangeError from a bad
 * length) become `dataset-corrupt` naming `context`.
 */
export function asLabFailure(e: unknown, context: string): LabFailure {
  if (e instanceof LabFailure) return e;
  const errno = e as NodeJS.ErrnoException | undefined;
  const message = e instanceof Error ? e.message : String(e);
  switch (errno?.code) {
    case 'ENOENT':
      return new LabFailure('not-found', `${errno.path ?? context}: no such file or folder`);
    case 'EACCES':
    case 'EPERM':
      return new LabFailure('io-error', `${errno.path ?? context}: permission denied`);
    case 'ENOSPC':
      return new LabFailure('io-error', `no space left on the device while writing ${context}`);
    case 'EISDIR':
    case 'ENOTDIR':
    case 'EMFILE':
    case 'EIO':
      return new LabFailure('io-error', `${errno.path ?? context}: ${message}`);
    case 'ABORT_ERR':
      return cancelled();
    default:
      break;
  }
  if (e instanceof Error && e.name === 'AbortError') return cancelled();
  return new LabFailure('dataset-corrupt', `${context}: ${message}`);
}
