import { promises as fs, createReadStream } from 'node:fs';
import path from 'node:path';
import { memberBaseName } from './archive-paths.js';
import { cifarFileRole } from './cifar-records.js';
import { openCifar, type CifarWalker } from './cifar-source.js';
import { inflateChunks, isGzip, fileChunks } from './file-chunks.js';
import { decompressionCap } from './limits.js';
import type { ImportSource, OpenContext } from './source.js';
import { walkTar } from './tar-reader.js';
import zlib from 'node:zlib';

const NAME_FILES = ['batches.meta.txt', 'fine_label_names.txt', 'coarse_label_names.txt'];

/**
 * Opens the original `cifar-10-binary.tar.gz` / `cifar-100-binary.tar.gz` (or a plain `.tar`) without
 * extracting it: one streaming pass to read labels, one to import.
 */
export async function openCifarTar(file: string, ctx: OpenContext): Promise<ImportSource> {
  const archive = path.basename(file);
  const { size } = await fs.stat(file);
  const gz = await isGzip(file);
  const walk: CifarWalker = async (onBatch, onText) => {
    const chunks = gz
      ? inflateChunks(createReadStream(file), zlib.createGunzip(), decompressionCap(size), archive)
      : fileChunks(file);
    await walkTar(chunks, archive, async (entry, data) => {
      if (entry.type !== 'file') return;
      const base = memberBaseName(entry.name);
      if (NAME_FILES.includes(base.toLowerCase()) && entry.size <= 1 << 20) {
        onText(base, new TextDecoder().decode(await data.readExact(entry.size)));
        return;
      }
      const role = cifarFileRole(base);
      if (role) await onBatch({ name: base, bytes: entry.size, ...role }, data);
      await ctx.job.breathe();
    });
  };
  return openCifar(walk, { root: file, files: [''] }, ctx);
}
