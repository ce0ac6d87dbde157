/**
 * The reply envelope of every request crossing a process boundary (IPC, WebSocket, CLI ↔ host).
 * Electron strips the fields of thrown errors, so failures travel as values.
 */

/** A machine-readable error code plus a sentence for humans. */
export interface LabError {
  /** Stable identifier, e.g. `invalid-request`, `not-found`, `dataset-corrupt`. */
  code: string;
  /** What went wrong and, where possible, what to do about it. */
  message: string;
  /** Optional structured detail (e.g. zod issue paths). */
  details?: unknown;
}

/** `{ ok: true, value }` on success, `{ ok: false, error }` otherwise. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: LabError };

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps an error as a failed result. */
export function err<T = never>(code: string, message: string, details?: unknown): Result<T> {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

/** An Error subclass carrying a LabError code; hosts turn it into a failed Result. */
export class LabFailure extends Error {
  /** Stable code, see {@link LabError.code}. */
  readonly code: string;
  /** Optional structured detail. */
  readonly details: unknown;
  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'LabFailure';
    this.code = code;
    this.details = details;
  }
}

/** Converts anything thrown into a LabError (LabFailure keeps its code). */
export function toLabError(e: unknown): LabError {
  if (e instanceof LabFailure) {
    return e.details === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, details: e.details };
  }
  if (e instanceof Error) return { code: 'internal', message: e.message };
  return { code: 'internal', message: String(e) };
}
