import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileChunks } from './file-chunks.js';
import type { JobContext } from './job-context.js';

const memo = new Map<string, string>();
const MEMO_SIZE = 32;

/**
 * SHA-256 of a source. A single file (files = ['']) hashes to its plain digest, as `sha256sum`
 * prints it; a folder hashes each used file's relative path, size and bytes in sorted order, so the
 * same files give the same checksum wherever the folder lives. Results are memoised on path, size
 * and modification time, so the preview and the import that follows hash once.
 */
export async function sourceChecksum(
  root: string,
  files: readonly string[],
  job: JobContext,
): Promise<string> {
  const single = files.length === 1 && files[0] === '';
  const rels = single ? [''] : [...files].sort();
  const stats = await Promise.all(rels.map((r) => fs.stat(r ? path.join(root, r) : root)));
  const key = createHash('sha1')
    .update(root)
    .update(JSON.stringify(rels.map((r, i) => [r, stats[i]?.size, stats[i]?.mtimeMs])))
    .digest('hex');
  const known = memo.get(key);
  if (known) return known;
  const hash = createHash('sha256');
  for (let i = 0; i < rels.length; i++) {
    const rel = rels[i] as string;
    if (!single) hash.update(`${rel}\0${stats[i]?.size ?? 0}\0`);
    for await (const chunk of fileChunks(rel ? path.join(root, rel) : root)) {
      hash.update(chunk);
      job.checkCancelled();
    }
    if (i % 64 === 63) await job.breathe();
  }
  const digest = hash.digest('hex');
  memo.set(key, digest);
  if (memo.size > MEMO_SIZE) memo.delete(memo.keys().next().value as string);
  return digest;
}
