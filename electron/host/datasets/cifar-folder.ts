import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ByteReader } from './byte-reader.js';
import { cifarFileRole, compareBatchNames } from './cifar-records.js';
import { openCifar, type CifarWalker } from './cifar-source.js';
import { fileChunks } from './file-chunks.js';
import { listFolder, type ListOptions } from './fs-list.js';
import type { ImportSource, OpenContext } from './source.js';

const NAME_FILES = ['batches.meta.txt', 'fine_label_names.txt', 'coarse_label_names.txt'];

/** True when a folder holds batch files of the CIFAR binary release. */
export async function isCifarFolder(dir: string, o: ListOptions = {}): Promise<boolean> {
  const { files } = await listFolder(dir, o);
  return files.some((f) => cifarFileRole(f) !== undefined);
}

/** Opens a folder of CIFAR-10 (`data_batch_*.bin`, `test_batch.bin`) or CIFAR-100 (`train.bin`, `test.bin`) batches. */
export async function openCifarFolder(sourcePath: string, ctx: OpenContext): Promise<ImportSource> {
  const dir = (await fs.stat(sourcePath)).isFile() ? path.dirname(sourcePath) : sourcePath;
  const { files } = await listFolder(dir, ctx.options);
  const batches = files.filter((f) => cifarFileRole(f) !== undefined).sort(compareBatchNames);
  const texts = files.filter((f) => NAME_FILES.includes(f.toLowerCase()));
  const walk: CifarWalker = async (onBatch, onText) => {
    for (const t of texts) {
      const p = path.join(dir, t);
      if ((await fs.stat(p)).size <= 1 << 20) onText(t, await fs.readFile(p, 'utf8'));
    }
    for (const f of batches) {
      const role = cifarFileRole(f);
      if (!role) continue;
      const p = path.join(dir, f);
      const { size } = await fs.stat(p);
      const reader = ByteReader.from(fileChunks(p));
      try {
        await onBatch({ name: f, bytes: size, ...role }, reader);
      } finally {
        await reader.close();
      }
    }
  };
  return openCifar(walk, { root: dir, files: [...texts, ...batches] }, ctx);
}
