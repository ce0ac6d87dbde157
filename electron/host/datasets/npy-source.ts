import { promises as fs } from 'node:fs';
import path from 'node:path';
import { npyFileRef, skipUnsupported, type ArrayRef } from './array-ref.js';
import { openArrayPairs } from './array-pair-source.js';
import { parseNameLines } from './class-names.js';
import { failure } from './errors.js';
import { listFolder } from './fs-list.js';
import type { ImportSource, OpenContext } from './source.js';

const CLASS_FILES = ['classes.txt', 'class_names.txt', 'labels.txt'];

/** Class names from a `classes.txt`-style file beside the arrays, if there is one. */
export async function classNamesBeside(
  dir: string,
  files: readonly string[],
): Promise<{ names: string[]; file: string } | undefined> {
  const f = files.find((n) => CLASS_FILES.includes(n.toLowerCase()));
  if (!f) return undefined;
  const p = path.join(dir, f);
  if ((await fs.stat(p)).size > 1 << 20) return undefined;
  return { names: parseNameLines(await fs.readFile(p, 'utf8')), file: f };
}

/** Opens a folder of `.npy` arrays (x_train.npy, y_train.npy… or images.npy, labels.npy), or one of its files. */
export async function openNpyFolder(sourcePath: string, ctx: OpenContext): Promise<ImportSource> {
  const dir = (await fs.stat(sourcePath)).isFile() ? path.dirname(sourcePath) : sourcePath;
  const { files } = await listFolder(dir, ctx.options);
  const npys = files.filter((f) => f.toLowerCase().endsWith('.npy'));
  if (npys.length === 0) throw failure('unsupported-format', `${dir}: no .npy files`);
  const arrays = new Map<string, ArrayRef>();
  const skipped: string[] = [];
  // Headers only: the large arrays are streamed later.
  for (const f of npys) {
    const ref = await skipUnsupported(npyFileRef(path.join(dir, f)), skipped);
    if (ref) arrays.set(ref.key, ref);
  }
  const names = await classNamesBeside(dir, files);
  return openArrayPairs(
    {
      format: 'npy',
      name: path.basename(dir),
      arrays,
      warnings: skipped,
      ...(names ? { classNames: names.names, classNamesFrom: names.file } : {}),
      files: npys,
      root: dir,
    },
    ctx,
  );
}
