import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { LabFailure } from '../../../shared/result.js';
import type { ModelSpec } from '../../../shared/spec/model.js';
import { readJsonIfExists, writeJsonAtomic } from '../../common/atomic-file.js';
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

/** `model.json` of a checkpoint folder: TF.js weights manifest plus what rebuilds the network. */
export interface CheckpointMeta {
  format: 'lgg-lab-checkpoint';
  formatVersion: 1;
  /** Architecture. */
  model: ModelSpec;
  /** Input shape [H, W, C] or [F]. */
  inputShape: number[];
  /** Output width. */
  outputDim: number;
  /** Class count of the dataset it was trained on. */
  classes: number;
  /** Per-channel normalisation the network expects, or null for raw [0, 1] inputs. */
  normalization: { mean: number[]; std: number[] } | null;
  /** Training position. */
  state: TrainState;
  /** TF.js weights manifest of `weights.bin` (parameters and buffers by local name). */
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  /** Manifest of `optimizer.bin` (momentum buffers by parameter name), when there is one. */
  optimizerManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  /** ISO-8601 creation time. */
  createdAt: string;
}

/** Pointer file `checkpoints/latest.json`. */
interface Latest {
  dir: string;
  epoch: number;
  step: number;
}

const KEEP = 2;

/** Writes a checkpoint folder atomically (temp folder + rename), then points latest.json at it. */
export async function saveCheckpoint(
  runDir: string,
  model: Model,
  sgd: Sgd | undefined,
  meta: Omit<
    CheckpointMeta,
    'format' | 'formatVersion' | 'weightsManifest' | 'optimizerManifest' | 'createdAt'
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
    await fs.writeFile(path.join(tmp, 'weights.bin'), new Uint8Array(weights.data));
    let optimizerManifest: CheckpointMeta['optimizerManifest'];
    if (sgd && sgd.buffers.size > 0) {
      const opt = await tf.io.encodeWeights([...sgd.buffers].map(([n, v]) => ({ name: n, tensor: v })));
      await fs.writeFile(path.join(tmp, 'optimizer.bin'), new Uint8Array(opt.data));
      optimizerManifest = [{ paths: ['optimizer.bin'], weights: opt.specs }];
    }
    const full: CheckpointMeta = {
      format: 'lgg-lab-checkpoint',
      formatVersion: 1,
      ...meta,
      weightsManifest: [{ paths: ['weights.bin'], weights: weights.specs }],
      ...(optimizerManifest ? { optimizerManifest } : {}),
      createdAt: new Date().toISOString(),
    };
    await writeJsonAtomic(path.join(tmp, 'model.json'), full);
    await fs.rm(path.join(root, name), { recursive: true, force: true });
    await fs.rename(tmp, path.join(root, name));
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await writeJsonAtomic(path.join(root, 'latest.json'), {
    dir: name,
    epoch: meta.state.epoch,
    step: meta.state.step,
  });
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
 * Resolves a checkpoint folder: a run folder (its latest checkpoint), a `checkpoints/` folder, or a
 * checkpoint folder holding `model.json`. Undefined when a run has no checkpoint yet.
 */
export async function findCheckpoint(dir: string): Promise<string | undefined> {
  if (await exists(path.join(dir, 'model.json'))) return dir;
  for (const root of [path.join(dir, 'checkpoints'), dir]) {
    const latest = await readJsonIfExists<Latest>(path.join(root, 'latest.json'));
    if (latest && (await exists(path.join(root, latest.dir, 'model.json'))))
      return path.join(root, latest.dir);
  }
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** Reads a checkpoint folder (see {@link findCheckpoint}). */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const found = await findCheckpoint(dir);
  if (!found) throw new LabFailure('not-found', `no checkpoint in ${dir}`);
  const meta = await readJsonIfExists<CheckpointMeta>(path.join(found, 'model.json'));
  if (meta?.format !== 'lgg-lab-checkpoint') {
    throw new LabFailure('checkpoint-invalid', `${found}/model.json is not an LGG Lab checkpoint`);
  }
  const read = async (m: CheckpointMeta['weightsManifest'] | undefined): Promise<tf.NamedTensorMap> => {
    if (!m?.[0]) return {};
    const buf = await fs.readFile(path.join(found, m[0].paths[0] ?? 'weights.bin'));
    const expected = m[0].weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (buf.byteLength !== expected) {
      throw new LabFailure(
        'checkpoint-invalid',
        `${found}: ${m[0].paths[0]} has ${buf.byteLength} bytes, manifest says ${expected}`,
      );
    }
    return tf.io.decodeWeights(
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
      m[0].weights,
    );
  };
  return {
    meta,
    dir: found,
    weights: await read(meta.weightsManifest),
    optimizer: await read(meta.optimizerManifest),
  };
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
