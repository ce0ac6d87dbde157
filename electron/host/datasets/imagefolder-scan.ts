import path from 'node:path';
import { failure, invalid, tooLarge } from './errors.js';
import { listFolder, type ListOptions } from './fs-list.js';
import { LIMITS } from './limits.js';

/** One image of an image folder. */
export interface ImageEntry {
  /** Absolute path. */
  file: string;
  /** Path relative to the dataset root (names it in messages and the checksum). */
  rel: string;
  /** Class index. */
  label: number;
}

/** The result of scanning an image folder. */
export interface FolderScan {
  /** Sorted class names (folder names). */
  classNames: string[];
  /** Training images (or the whole pool when there is no test root). */
  train: ImageEntry[];
  /** Test images, when the folder has `test/`, `val/`, `valid/` or `validation/` beside `train/`. */
  test?: ImageEntry[];
  /** Non-image files skipped. */
  ignored: number;
  /** Symbolic links not followed (paths relative to the root). */
  links: string[];
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;
const TEST_ROOTS = ['test', 'val', 'valid', 'validation'];
const MAX_DEPTH = 3;

/** True for a file name the image importer reads. */
export function isImageName(name: string): boolean {
  return IMAGE_EXT.test(name);
}

async function collect(
  dir: string,
  rel: string,
  depth: number,
  out: string[],
  counter: { ignored: number; links: string[]; o: ListOptions },
  base: string,
): Promise<void> {
  const { files, dirs, links } = await listFolder(dir, counter.o);
  for (const l of links) counter.links.push([base, rel, l].filter((x) => x).join('/'));
  for (const f of files) {
    if (IMAGE_EXT.test(f)) out.push(rel ? `${rel}/${f}` : f);
    else counter.ignored++;
    if (out.length > LIMITS.maxFiles) throw tooLarge(dir, `more than ${LIMITS.maxFiles} images`);
  }
  // Nested folders inside a class (e.g. per-source sub-folders) belong to that class.
  if (depth < MAX_DEPTH)
    for (const d of dirs)
      await collect(path.join(dir, d), rel ? `${rel}/${d}` : d, depth + 1, out, counter, base);
}

async function classDirs(
  root: string,
  counter: { links: string[]; o: ListOptions },
  rel: string,
): Promise<string[]> {
  const { dirs, links } = await listFolder(root, counter.o);
  for (const l of links) counter.links.push(rel ? `${rel}/${l}` : l);
  return dirs;
}

/** True when a folder looks like an ImageFolder (class folders with images, or train/ + test/ roots). */
export async function looksLikeImageFolder(dir: string, o: ListOptions = {}): Promise<boolean> {
  const { dirs } = await listFolder(dir, o);
  for (const d of dirs.slice(0, 8)) {
    const sub = await listFolder(path.join(dir, d), o);
    if (sub.files.some((f) => IMAGE_EXT.test(f))) return true;
    for (const dd of sub.dirs.slice(0, 4)) {
      if ((await listFolder(path.join(dir, d, dd), o)).files.some((f) => IMAGE_EXT.test(f))) return true;
    }
  }
  return false;
}

/**
 * Scans an ImageFolder: one sub-folder per class (sorted names give the labels), either at the root
 * or under `train/` with `test/` or `val/` beside it. An empty class folder is an error naming it.
 */
export async function scanImageFolder(
  root: string,
  checkCancelled: () => void = () => undefined,
  o: ListOptions = {},
): Promise<FolderScan> {
  const counter = { ignored: 0, links: [] as string[], o };
  const top = await listFolder(root, o);
  const lower = new Map(top.dirs.map((d) => [d.toLowerCase(), d]));
  const trainDir = lower.get('train');
  const testDir = TEST_ROOTS.map((t) => lower.get(t)).find((d) => d !== undefined);
  const roots: { split: 'train' | 'test'; dir: string; rel: string }[] =
    trainDir !== undefined && (await listFolder(path.join(root, trainDir), o)).dirs.length > 0
      ? [
          { split: 'train', dir: path.join(root, trainDir), rel: trainDir },
          ...(testDir !== undefined
            ? [{ split: 'test' as const, dir: path.join(root, testDir), rel: testDir }]
            : []),
        ]
      : [{ split: 'train', dir: root, rel: '' }];
  const perRoot = new Map<string, Map<string, string[]>>();
  const names = new Set<string>();
  for (const r of roots) {
    const classes = new Map<string, string[]>();
    for (const c of await classDirs(r.dir, counter, r.rel)) {
      checkCancelled();
      const files: string[] = [];
      await collect(path.join(r.dir, c), '', 0, files, counter, [r.rel, c].filter((x) => x).join('/'));
      if (files.length === 0)
        throw invalid(
          path.join(r.rel, c) || c,
          'class folder has no PNG or JPEG images (remove it or add images)',
        );
      classes.set(c, files);
      names.add(c);
    }
    if (classes.size === 0) throw failure('unsupported-format', `${r.dir}: no class folders with images`);
    perRoot.set(r.split, classes);
  }
  const classNames = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries = (split: 'train' | 'test', rel: string): ImageEntry[] => {
    const out: ImageEntry[] = [];
    const dir = roots.find((r) => r.split === split)?.dir ?? root;
    for (const [c, files] of perRoot.get(split) ?? []) {
      const label = classNames.indexOf(c);
      for (const f of files)
        out.push({ file: path.join(dir, c, f), rel: [rel, c, f].filter((s) => s).join('/'), label });
    }
    return out;
  };
  const scan: FolderScan = {
    classNames,
    train: entries('train', roots[0]?.rel ?? ''),
    ignored: counter.ignored,
    links: counter.links,
  };
  if (perRoot.has('test')) scan.test = entries('test', roots[1]?.rel ?? '');
  return scan;
}
