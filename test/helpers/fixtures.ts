import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../electron/common/npy-file.js';

/** Folder of the PyTorch reference fixtures. */
export const LGG_FIXTURES = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'lgg-reference',
);

/** One reference case of expected.json. */
export interface ReferenceCase {
  options: {
    similarity: 'cosine' | 'rbf';
    negatives: 'keep' | 'clamp';
    self_loops: 'remove' | 'keep';
    normalization: 'sym' | 'none';
    k: number | null;
    mask_source: 'own' | 'teacher';
    power: number;
  };
  layers: { file: string; graph: string; sigma_m1: number; sigma_m2: number }[];
  teacher_layers: { file: string; graph: string }[];
  gkd: {
    weight: number;
    reduction: 'sum';
    total: number;
    per_pair_sq_frobenius: number[];
    student_graphs: string[];
  };
  rkd_distance: number[];
  sp: number[];
  laplacian: { gamma: number; m: 2; sigma_per_layer: number[]; regulariser: number };
}

/** expected.json, by case name. */
export function referenceCases(): Record<string, ReferenceCase> {
  return JSON.parse(readFileSync(path.join(LGG_FIXTURES, 'expected.json'), 'utf8')) as Record<
    string,
    ReferenceCase
  >;
}

/** A fixture array as a float array plus shape. */
export async function fixtureArray(
  caseName: string,
  file: string,
): Promise<{ data: Float32Array; shape: number[] }> {
  const a = await readNpy(path.join(LGG_FIXTURES, caseName, file));
  return { data: Float32Array.from(a.data), shape: a.header.shape };
}

/** Relative difference |a − b| / max(|b|, tiny). */
export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}
