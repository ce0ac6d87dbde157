import path from 'node:path';
import { npzMemberRef, skipUnsupported, type ArrayRef } from './array-ref.js';
import { openArrayPairs } from './array-pair-source.js';
import { failure } from './errors.js';
import { stem } from './fs-list.js';
import type { ImportSource, OpenContext } from './source.js';
import { readZipDirectory } from './zip-reader.js';

/** Opens an `.npz` archive (np.savez / savez_compressed: stored or deflated members). */
export async function openNpz(file: string, ctx: OpenContext): Promise<ImportSource> {
  const entries = await readZipDirectory(file);
  const arrays = new Map<string, ArrayRef>();
  const skipped: string[] = [];
  for (const e of entries) {
    if (!e.name.toLowerCase().endsWith('.npy')) continue;
    ctx.job.checkCancelled();
    const ref = await skipUnsupported(npzMemberRef(file, e), skipped);
    if (ref) arrays.set(ref.key, ref);
  }
  if (arrays.size === 0) throw failure('unsupported-format', `${path.basename(file)}: no .npy members`);
  return openArrayPairs(
    { format: 'npz', name: stem(file), arrays, warnings: skipped, files: [''], root: file },
    ctx,
  );
}
