import * as tf from '@tensorflow/tfjs-core';
import { LabFailure } from '../../../shared/result.js';
import { readNpy } from '../../common/npy-file.js';

/** Largest array `analyze` reads (elements): 1 GiB of float32. */
const MAX_ELEMENTS = 2 ** 28;

/** Reads a `.npy` of B×… numbers as a float32 [B, D] tensor. */
export async function readLayer(file: string): Promise<tf.Tensor2D> {
  const a = await readNpyChecked(file);
  const [b = 0, ...rest] = a.header.shape;
  if (a.header.shape.length < 2 || b < 2) {
    throw new LabFailure(
      'invalid-input',
      `${file}: expected B×D (or B×…) with B ≥ 2, got shape (${a.header.shape.join(', ')})`,
    );
  }
  const d = rest.reduce((x, y) => x * y, 1);
  const data = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data);
  for (const v of data) {
    if (!Number.isFinite(v))
      throw new LabFailure('invalid-input', `${file}: contains NaN or infinite values`);
  }
  return tf.tensor2d(data, [b, d]);
}

/** Reads integer labels from a `.npy` of B numbers. */
export async function readLabels(file: string): Promise<Int32Array> {
  const a = await readNpyChecked(file);
  if (a.header.shape.length !== 1) {
    throw new LabFailure(
      'invalid-input',
      `${file}: labels must be one-dimensional, got shape (${a.header.shape.join(', ')})`,
    );
  }
  const out = new Int32Array(a.data.length);
  a.data.forEach((v: number, i: number) => {
    if (!Number.isInteger(v) || v < 0 || v > 1e6)
      throw new LabFailure('invalid-input', `${file}: label ${v} is not a class index`);
    out[i] = v;
  });
  return out;
}

async function readNpyChecked(file: string): ReturnType<typeof readNpy> {
  try {
    return await readNpy(file, MAX_ELEMENTS);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new LabFailure('not-found', `${file}: no such file`);
    throw new LabFailure('invalid-input', `${file}: ${(e as Error).message}`);
  }
}
