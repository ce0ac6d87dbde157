import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { UploadReply } from '../../shared/contract.js';
import { err, ok } from '../../shared/result.js';
import { sendResult } from './http-util.js';

/** Where and how much the browser may upload. */
export interface UploadOptions {
  /** The data folder's `tmp/` (same file system as the stores, so imports can rename). */
  tmpDir: string;
  /** Largest single file accepted, bytes. */
  maxFileBytes: number;
  /** Largest total per upload batch, bytes. */
  maxBatchBytes: number;
}

const BATCH_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_DEPTH = 32;

/**
 * Validates a browser-supplied relative path (a folder drop keeps its structure) and returns its
 * segments; null for anything that could escape the batch folder.
 */
export function safeRelativePath(raw: string | null): string[] | null {
  if (raw === null || raw.length === 0 || raw.length > 1024) return null;
  if (raw.includes('\0') || raw.includes('\\') || raw.startsWith('/')) return null;
  const parts = raw.split('/').filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > MAX_DEPTH) return null;
  if (parts.some((p) => p === '.' || p === '..' || p.length > 255 || /^[A-Za-z]:$/.test(p))) return null;
  return parts;
}

/**
 * Running byte totals per batch, so a batch cannot exceed its cap one file at a time. Bytes count
 * as they arrive, so uploads of one batch sent in parallel cannot all pass the cap together.
 */
const batchTotals = new Map<string, number>();

/** Handles `POST /upload?batch=&path=`: streams the body to `tmp/uploads/<batch>/<path>`. */
export async function handleUpload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: UploadOptions,
): Promise<void> {
  const batch = url.searchParams.get('batch') ?? '';
  const parts = safeRelativePath(url.searchParams.get('path'));
  if (!BATCH_ID.test(batch) || parts === null) {
    req.resume();
    sendResult(res, 400, err('invalid-request', 'upload needs ?batch=<id> and a relative ?path= inside it'));
    return;
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  const used = (): number => batchTotals.get(batch) ?? 0;
  if (
    Number.isFinite(declared) &&
    (declared > options.maxFileBytes || used() + declared > options.maxBatchBytes)
  ) {
    req.resume();
    sendResult(res, 413, err('too-large', uploadLimitMessage(options)));
    return;
  }
  // This file's bytes counted in batchTotals so far; given back if the file is not kept.
  let counted = 0;
  const count = (n: number): boolean => {
    batchTotals.set(batch, used() + n - counted);
    counted = n;
    return n > options.maxFileBytes || used() > options.maxBatchBytes;
  };
  const dir = path.join(options.tmpDir, 'uploads', batch);
  const target = path.join(dir, ...parts);
  const partial = `${target}.part-${process.pid}-${Date.now()}`;
  const rel = parts.join('/');
  let kept = false;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    const written = await streamTo(req, partial, count);
    if (written === 'too-large') {
      await rm(partial, { force: true });
      sendResult(res, 413, err('too-large', uploadLimitMessage(options)));
      return;
    }
    if (written === 'aborted') {
      await rm(partial, { force: true });
      return;
    }
    await rename(partial, target);
    kept = true;
    const reply: UploadReply = { dir, path: target, bytes: written };
    sendResult(res, 200, ok(reply));
  } catch (e) {
    // A name already taken by a folder (or a file where a folder is needed): the browser gets the
    // name it sent and the reason, never the server's paths; nothing of the upload is left.
    req.resume();
    await rm(partial, { force: true }).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (['EISDIR', 'ENOTDIR', 'EEXIST', 'ENOTEMPTY'].includes(code))
      sendResult(
        res,
        409,
        err(
          'upload-conflict',
          `cannot store "${rel}": that name is already used by a folder or file of this drop`,
        ),
      );
    else sendResult(res, 500, err('io-error', `cannot store "${rel}" (${code || 'write failed'})`));
  } finally {
    if (!kept) batchTotals.set(batch, used() - counted);
  }
}

function uploadLimitMessage(options: UploadOptions): string {
  const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
  return (
    `Upload too large: at most ${gib(options.maxFileBytes)} per file and ${gib(options.maxBatchBytes)} per drop. ` +
    'For bigger datasets use `lgg-lab import <path>` on the server, or run the desktop app.'
  );
}

/** Streams the request body to a file; stops early when `over(bytesSoFar)` says so. */
function streamTo(
  req: IncomingMessage,
  file: string,
  over: (bytes: number) => boolean,
): Promise<number | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const out = createWriteStream(file);
    let bytes = 0;
    let settled = false;
    const finish = (v: number | 'too-large' | 'aborted'): void => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    req.on('data', (chunk: Buffer) => {
      // A refused body is drained (so the 413 reaches the client), not counted.
      if (settled) return;
      bytes += chunk.length;
      if (over(bytes)) {
        req.unpipe(out);
        out.destroy();
        req.resume();
        finish('too-large');
      }
    });
    req.on('close', () => {
      if (req.complete) return;
      out.destroy();
      finish('aborted');
    });
    out.on('error', () => finish('aborted'));
    out.on('finish', () => finish(bytes));
    req.pipe(out);
  });
}
