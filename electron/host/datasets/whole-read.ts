import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tooLarge } from './errors.js';
import { isGzip, maybeGunzipChunks } from './file-chunks.js';
import { decompressionCap, LIMITS } from './limits.js';

/** Reads a small file whole (gunzipping it if needed), refusing more than `cap` bytes either way. */
export async function readWhole(file: string, cap: number = LIMITS.maxWholeReadBytes): Promise<Uint8Array> {
  const { size } = await fs.stat(file);
  if (!(await isGzip(file))) {
    if (size > cap)
      throw tooLarge(path.basename(file), `${size} bytes, more than the ${cap} bytes read whole`);
    return new Uint8Array(await fs.readFile(file));
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const c of maybeGunzipChunks(file, Math.min(cap, decompressionCap(size)))) {
    parts.push(c);
    total += c.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
