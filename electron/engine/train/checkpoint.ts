import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LabFailure } from '../../../shared/result.js';
import type { CheckpointMeta, LatestPointer } from '../../../shared/run-files.js';
import { writeJsonAtomic } from '../../common/atomic-file.js';
import {
  findCheckpointFolder,
  RunFolderDamage,
  sha256Hex,
  type CheckedCheckpoint,
} from '../../common/run-folder/index.js';
import type { Model } from '../models/model.js';
import type { Sgd } from './sgd.js';

/** Where training stood when the checkpoint was written. */
export interface TrainState {
  /** Completed epochs. */
  epoch: number;
  /** Global optimiser steps done. */
  step: number;
  /** Steps done in the epoch in progress (0 at an epoch boundary). */
  stepInEpoch: number;
  /** Running sums of the epoch in progress (resumed mid-epoch). */
  accum?: Record<string, number>;
  /** Seconds of training so far. */
  seconds: number;
}

export type { CheckpointMeta };

const KEEP = 2;

/** Writes a checkpoint folder atomically (temp folder + rename), then points latest.json at it. */
export async function saveCheckpoint(
  runDir: string,
  model: Model,
  sgd: Sgd | undefined,
  meta: Omit<
    CheckpointMeta,
    'format' | 'formatVersion' | 'weightsManifest' | 'optimizerManifest' | 'checksums' | 'createdAt'
  >,
): Promise<string> {
  const root = path.join(runDir, 'checkpoints');
  await fs.mkdir(root, { recursive: true });
  // Zero-padded so names sort in training order (pruning keeps the newest).
  const name = `e${String(meta.state.epoch).padStart(4, '0')}-s${String(meta.state.step).padStart(9, '0')}`;
  const tmp = path.join(root, `.tmp-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    const weights = await tf.io.encodeWeights(
      model.params.entries().map(([n, v]) => ({ name: n, tensor: v })),
    );
    // Checksums are taken from the bytes in memory and written with them, so any later change to
    // a file (a bad copy, a flipped bit, an edit) is caught when the checkpoint is read.
    const checksums: Record<string, string> = {};
    const write = async (name: string, data: ArrayBuffer): Promise<void> => {
      const bytes = new Uint8Array(data);
      checksums[name] = sha256Hex(bytes);
      await fs.writeFile(path.join(tmp, name), bytes);
    };
    await write('weights.bin', weights.data);
    let optimizerManifest: CheckpointMeta['optimizerManifest'];
    if (sgd && sgd.buffers.size > 0) {
      const opt = await tf.io.encodeWeights([...sgd.buffers].map(([n, v]) => ({ name: n, tensor: v })));
      await write('optimizer.bin', opt.data);
      optimizerManifest = [{ paths: ['optimizer.bin'], weights: manifestEntries(opt.specs) }];
    }
    const full: CheckpointMeta = {
      format: 'lgg-lab-checkpoint',
      formatVersion: 1,
      ...meta,
      weightsManifest: [{ paths: ['weights.bin'], weights: manifestEntries(weights.specs) }],
      ...(optimizerManifest ? { optimizerManifest } : {}),
      checksums,
      createdAt: new Date().toISOString(),
    };
    await writeJsonAtomic(path.join(tmp, 'model.json'), full);
    await fs.rm(path.join(root, name), { recursive: true, force: true });
    await fs.rename(tmp, path.join(root, name));
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const latest: LatestPointer = { dir: name, epoch: meta.state.epoch, step: meta.state.step };
  await writeJsonAtomic(path.join(root, 'latest.json'), latest);
  await prune(root, name);
  return path.join(root, name);
}

async function prune(root: string, keep: string): Promise<void> {
  const dirs = (await fs.readdir(root)).filter((d) => /^e\d{4}-s\d+$/.test(d)).sort();
  const old = dirs.filter((d) => d !== keep).slice(0, Math.max(0, dirs.length - KEEP));
  await Promise.all(old.map((d) => fs.rm(path.join(root, d), { recursive: true, force: true })));
}

/** A checkpoint read back: its meta and tensors (the caller disposes them). */
export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  dir: string;
  weights: tf.NamedTensorMap;
  optimizer: tf.NamedTensorMap;
}

/**
 * Reads a checkpoint folder, or the latest checkpoint of a run folder (or of its `checkpoints/`
 * folder), checked against its schema and checksums: a damaged one fails with the file and the reason.
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const found = await findCheckpointFolder(dir, 'checksum');
  if (!found) throw new LabFailure('not-found', `no checkpoint in ${dir}`);
  return readCheckpoint(found);
}

/** The tensors of a checked checkpoint (the caller disposes them). */
export async function readCheckpoint(found: CheckedCheckpoint): Promise<LoadedCheckpoint> {
  const read = async (
    file: string | undefined,
    m: CheckpointMeta['weightsManifest'] | undefined,
  ): Promise<tf.NamedTensorMap> => {
    if (!file || !m?.[0]) return {};
    const buf = await fs.readFile(file);
    try {
      return tf.io.decodeWeights(
        buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
        m[0].weights,
      );
    } catch (e) {
      throw new RunFolderDamage(
        path.relative(found.dir, file),
        `cannot be decoded (${(e as Error).message})`,
        `${found.dir}/`,
      );
    }
  };
  const weights = await read(found.files.weights, found.meta.weightsManifest);
  try {
    return {
      meta: found.meta,
      dir: found.dir,
      weights,
      optimizer: await read(found.files.optimizer, found.meta.optimizerManifest),
    };
  } catch (e) {
    tf.dispose(Object.values(weights));
    throw e;
  }
}

/** The manifest entries the schema of model.json knows (the lab writes float32 and int32 tensors). */
function manifestEntries(
  specs: tf.io.WeightsManifestEntry[],
): CheckpointMeta['weightsManifest'][number]['weights'] {
  return specs.map((w) => {
    if (w.dtype !== 'float32' && w.dtype !== 'int32')
      throw new Error(`checkpoint: tensor ${w.name} has dtype ${w.dtype}; only float32 and int32 are saved`);
    return { name: w.name, shape: [...w.shape], dtype: w.dtype };
  });
}

/** Copies checkpoint tensors into a model (and optimiser); every variable must be present with its shape. */
export function restoreInto(ckpt: LoadedCheckpoint, model: Model, sgd?: Sgd): void {
  const assign = (name: string, v: tf.Variable, src: tf.NamedTensorMap, what: string): void => {
    const t = src[name];
    if (!t) throw new LabFailure('checkpoint-invalid', `${what} ${name} missing from ${ckpt.dir}`);
    if (t.shape.join() !== v.shape.join()) {
      throw new LabFailure(
        'checkpoint-invalid',
        `${what} ${name}: shape [${t.shape.join(', ')}] ≠ [${v.shape.join(', ')}]`,
      );
    }
    v.assign(t);
  };
  for (const [name, v] of model.params.entries()) assign(name, v, ckpt.weights, 'weight');
  if (sgd) for (const [name, v] of sgd.buffers) assign(name, v, ckpt.optimizer, 'momentum buffer');
}

/** Frees a loaded checkpoint's tensors. */
export function disposeCheckpoint(ckpt: LoadedCheckpoint): void {
  tf.dispose(Object.values(ckpt.weights));
  tf.dispose(Object.values(ckpt.optimizer));
}
