import type { SourceFormat } from '../../../shared/dataset-types.js';
import { failure } from './errors.js';

/** Roles of arrays in `.npy` folders and `.npz` archives. */
export type ArrayRole = 'trainX' | 'trainY' | 'testX' | 'testY' | 'x' | 'y';

/** Every role, in the order they are matched. */
export const ARRAY_ROLES: readonly ArrayRole[] = ['trainX', 'trainY', 'testX', 'testY', 'x', 'y'];

/** Options of an import; all optional, each format reads the ones it understands. */
export interface ImportOptions {
  /** Display name (default: derived from the source). */
  name?: string;
  /** Forces a format instead of detecting it. */
  format?: SourceFormat;
  /** Target image size for image folders: a side length, or [height, width]. */
  imageSize?: number | [number, number];
  /** Stored colour for image folders (default: grey when the images are grey, else RGB). */
  color?: 'grey' | 'rgb';
  /** Resampling for image folders (default `auto`: area when shrinking, bilinear when growing). */
  resize?: 'bilinear' | 'area' | 'auto';
  /** CIFAR-100 label set (default `fine`). */
  labelSet?: 'fine' | 'coarse';
  /** Names (without `.npy`) of the arrays in a `.npy` folder or `.npz` archive, by role. */
  npzKeys?: Partial<Record<ArrayRole, string>>;
  /** Layout of 4-D NumPy image arrays (default: detected from the shape). */
  layout?: 'nhwc' | 'nchw';
  /** CSV label column: a header name or a 0-based index (default: `label`/`class`/`target`/`y`, else the last). */
  csvLabelColumn?: string | number;
  /** Seed of the stratified train/test split of single-pool sources. */
  splitSeed?: number;
  /** Fraction of a single-pool source held out as the test split, in (0, 1) (default 0.2). */
  testFraction?: number;
  /** Id of the clean dataset a corruption suite belongs to (default: matched by name, shape and classes). */
  linkTo?: string;
  /** Class names overriding those of the source (must match the number of classes). */
  classNames?: string[];
  /** Follow symbolic links inside the source folder (off: links are listed in the preview's warnings). */
  followLinks?: boolean;
}

/** Checks option values, throwing `dataset-invalid` with the offending option. */
export function validateOptions(o: ImportOptions): ImportOptions {
  const bad = (what: string): never => {
    throw failure('dataset-invalid', `invalid option: ${what}`);
  };
  if (o.imageSize !== undefined) {
    const [h, w] = typeof o.imageSize === 'number' ? [o.imageSize, o.imageSize] : o.imageSize;
    for (const d of [h, w])
      if (!Number.isInteger(d) || d < 1 || d > 1024) bad(`imageSize ${String(o.imageSize)} (1–1024 pixels)`);
  }
  if (o.color !== undefined && o.color !== 'grey' && o.color !== 'rgb')
    bad(`color "${String(o.color)}" (grey or rgb)`);
  if (o.resize !== undefined && !['bilinear', 'area', 'auto'].includes(o.resize))
    bad(`resize "${String(o.resize)}"`);
  if (o.labelSet !== undefined && o.labelSet !== 'fine' && o.labelSet !== 'coarse')
    bad(`labelSet "${String(o.labelSet)}" (fine or coarse)`);
  if (o.layout !== undefined && o.layout !== 'nhwc' && o.layout !== 'nchw')
    bad(`layout "${String(o.layout)}" (nhwc or nchw)`);
  if (o.testFraction !== undefined && !(o.testFraction > 0 && o.testFraction < 1))
    bad(`testFraction ${o.testFraction} (in (0, 1): the lab needs a test split)`);
  if (o.splitSeed !== undefined && !Number.isFinite(o.splitSeed)) bad('splitSeed');
  if (o.npzKeys) {
    for (const k of Object.keys(o.npzKeys))
      if (!(ARRAY_ROLES as string[]).includes(k)) bad(`npzKeys role "${k}" (${ARRAY_ROLES.join(', ')})`);
  }
  return o;
}

/** [height, width] of the imageSize option, if set. */
export function imageSizeOf(o: ImportOptions): [number, number] | undefined {
  if (o.imageSize === undefined) return undefined;
  return typeof o.imageSize === 'number' ? [o.imageSize, o.imageSize] : o.imageSize;
}

/** Parses `32` or `32x24` (height × width) from a command line. */
export function parseImageSize(text: string): number | [number, number] {
  const m = /^(\d+)(?:[x×,](\d+))?$/i.exec(text.trim());
  if (!m) throw failure('dataset-invalid', `invalid image size "${text}" (use 32 or 32x24)`);
  const h = Number(m[1]);
  return m[2] === undefined ? h : [h, Number(m[2])];
}

/** Parses `trainX=a,trainY=b` into npzKeys. */
export function parseKeys(text: string): Partial<Record<ArrayRole, string>> {
  const out: Partial<Record<ArrayRole, string>> = {};
  for (const part of text.split(',')) {
    const [role, key] = part.split('=').map((s) => s.trim());
    if (!role || !key || !(ARRAY_ROLES as string[]).includes(role)) {
      throw failure(
        'dataset-invalid',
        `invalid key mapping "${part}" (use role=name with roles ${ARRAY_ROLES.join(', ')})`,
      );
    }
    out[role as ArrayRole] = key.replace(/\.npy$/i, '');
  }
  return out;
}
