import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SourceFormat } from '../../../shared/dataset-types.js';
import { cifarFileRole } from './cifar-records.js';
import { isCifarFolder, openCifarFolder } from './cifar-folder.js';
import { openCifarTar } from './cifar-tar.js';
import { looksLikeCorruptionFolder, openCorruptions } from './corruptions-source.js';
import { openCsv } from './csv-source.js';
import { failure } from './errors.js';
import { isGzip, readHead } from './file-chunks.js';
import { listFolder, type ListOptions } from './fs-list.js';
import { isIdxName, openIdx } from './idx-source.js';
import { isImageName, looksLikeImageFolder } from './imagefolder-scan.js';
import { openImageFolder } from './imagefolder-source.js';
import { openNpyFolder } from './npy-source.js';
import { openNpz } from './npz-source.js';
import type { SourceOpener } from './source.js';

/** A detected source: its format and how to open it. */
export interface Detected {
  /** Format. */
  format: SourceFormat;
  /** Path to open (may be a sub-folder or the parent of the dropped path). */
  path: string;
  /** Opener. */
  open: SourceOpener;
}

const SUPPORTED =
  'MNIST-family IDX files, CIFAR-10/100 binary batches or their .tar.gz, an image folder (one sub-folder per class), .npy pairs, an .npz, a .csv, or a corruption suite (CIFAR-10-C, MNIST-C)';

const isTarName = (n: string): boolean => /\.(tar\.gz|tgz|tar)$/i.test(n);

function byFormat(format: SourceFormat, p: string, isFile: boolean): Detected {
  const openers: Partial<Record<SourceFormat, SourceOpener>> = {
    idx: openIdx,
    cifar10: isFile && isTarName(p) ? openCifarTar : openCifarFolder,
    cifar100: isFile && isTarName(p) ? openCifarTar : openCifarFolder,
    imagefolder: openImageFolder,
    npy: openNpyFolder,
    npz: openNpz,
    csv: openCsv,
    corruptions: (q, ctx) => openCorruptions(isFile ? path.dirname(q) : q, ctx),
  };
  const open = openers[format];
  if (!open) throw failure('unsupported-format', `format "${format}" cannot be imported from a path`);
  return { format, path: p, open };
}

async function detectFile(p: string, o: ListOptions): Promise<Detected | undefined> {
  const name = path.basename(p);
  const lower = name.toLowerCase();
  if (lower.endsWith('.npz')) return { format: 'npz', path: p, open: openNpz };
  if (lower.endsWith('.npy')) return detectFolder(path.dirname(p), 0, o);
  if (/\.(csv|tsv)$/.test(lower)) return { format: 'csv', path: p, open: openCsv };
  if (isTarName(lower)) return { format: 'cifar10', path: p, open: openCifarTar };
  if (isIdxName(name)) return { format: 'idx', path: p, open: openIdx };
  if (cifarFileRole(name))
    return {
      format: cifarFileRole(name)?.variant ?? 'cifar10',
      path: path.dirname(p),
      open: openCifarFolder,
    };
  if (isImageName(name)) {
    throw failure(
      'unsupported-format',
      `${name} is a single image; drop the folder that holds one sub-folder of images per class`,
    );
  }
  const head = await readHead(p, 4);
  if (head[0] === 0x50 && head[1] === 0x4b) return { format: 'npz', path: p, open: openNpz };
  if (await isGzip(p)) return { format: 'cifar10', path: p, open: openCifarTar };
  return undefined;
}

async function detectFolder(dir: string, depth: number, o: ListOptions): Promise<Detected | undefined> {
  const { files, dirs, links } = await listFolder(dir, o);
  if (files.some(isIdxName)) return { format: 'idx', path: dir, open: openIdx };
  if (await isCifarFolder(dir, o)) {
    const variant = files.map(cifarFileRole).find((r) => r)?.variant ?? 'cifar10';
    return { format: variant, path: dir, open: openCifarFolder };
  }
  if (await looksLikeCorruptionFolder(dir, o))
    return { format: 'corruptions', path: dir, open: openCorruptions };
  if (files.some((f) => f.toLowerCase().endsWith('.npy')))
    return { format: 'npy', path: dir, open: openNpyFolder };
  const npz = files.filter((f) => f.toLowerCase().endsWith('.npz'));
  if (npz.length === 1) return { format: 'npz', path: path.join(dir, npz[0] as string), open: openNpz };
  if (files.some((f) => /\.(csv|tsv)$/i.test(f))) return { format: 'csv', path: dir, open: openCsv };
  const tars = files.filter(isTarName);
  if (tars.length === 1)
    return { format: 'cifar10', path: path.join(dir, tars[0] as string), open: openCifarTar };
  if (await looksLikeImageFolder(dir, o)) return { format: 'imagefolder', path: dir, open: openImageFolder };
  // An extracted archive often wraps everything in one folder (cifar-10-batches-bin/).
  if (depth < 2 && dirs.length === 1 && files.length <= 2)
    return detectFolder(path.join(dir, dirs[0] as string), depth + 1, o);
  if (links.length > 0 && files.length + dirs.length === 0)
    throw failure(
      'unsupported-format',
      `${dir} holds only symbolic links (${links.slice(0, 3).join(', ')}${links.length > 3 ? ', …' : ''}), which are not followed unless asked (--follow-links)`,
    );
  return undefined;
}

/** Detects the format of a dropped file or folder (or applies a forced one). */
export async function detectFormat(p: string, forced?: SourceFormat, o: ListOptions = {}): Promise<Detected> {
  const st = await fs.stat(p);
  if (!st.isFile() && !st.isDirectory())
    throw failure('unsupported-format', `${p} is neither a file nor a folder`);
  if (forced) return byFormat(forced, p, st.isFile());
  const found = st.isFile() ? await detectFile(p, o) : await detectFolder(p, 0, o);
  if (!found)
    throw failure('unsupported-format', `nothing the lab can import at ${p}; expected ${SUPPORTED}`);
  return found;
}
