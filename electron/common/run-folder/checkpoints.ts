import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  CHECKPOINT_NAME,
  CheckpointMetaSchema,
  LatestPointerSchema,
  type CheckpointMeta,
} from '../../../shared/run-files.js';
import type { RunDamage } from '../../../shared/run-types.js';
import { confinedPath } from './confine.js';
import { damageOf, RunFolderDamage } from './damage.js';
import { readRunJson, requireRunJson } from './read.js';

/** SHA-256 of bytes, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of a file, hex, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** How much of a checkpoint is checked: `size` (cheap: model.json and file sizes) or `checksum` (every byte). */
export type CheckpointCheck = 'size' | 'checksum';

/** A checkpoint folder that passed its checks. */
export interface CheckedCheckpoint {
  /** Absolute folder. */
  dir: string;
  /** Its model.json. */
  meta: CheckpointMeta;
  /** Absolute paths of `weights.bin` and, when there is one, `optimizer.bin`. */
  files: { weights: string; optimizer?: string };
}

/** Bytes a manifest describes (float32 and int32 are 4 bytes per value). */
function manifestBytes(m: CheckpointMeta['weightsManifest']): number {
  return m[0]?.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0) ?? 0;
}

/**
 * Checks one checkpoint folder: model.json against its schema, the manifests' files confined to the
 * folder with the sizes the manifests give, and (with `checksum`) the bytes against the SHA-256
 * written with them. `label` names the folder in errors (relative to the run folder).
 */
export async function checkCheckpoint(
  dir: string,
  label: string,
  check: CheckpointCheck,
): Promise<CheckedCheckpoint> {
  const meta = await requireRunJson(dir, 'model.json', CheckpointMetaSchema, `${label}/model.json`);
  const file = async (m: CheckpointMeta['weightsManifest']): Promise<string> => {
    const rel = m[0]?.paths[0] ?? '';
    const full = await confinedPath(dir, rel, `${label}/model.json`);
    const shown = `${label}/${rel}`;
    const st = await fs.stat(full).catch(() => undefined);
    if (!st?.isFile()) throw new RunFolderDamage(shown, 'is missing');
    const expected = manifestBytes(m);
    if (st.size !== expected)
      throw new RunFolderDamage(shown, `has ${st.size} bytes, its manifest says ${expected}`);
    const sum = meta.checksums?.[rel];
    if (check === 'checksum' && sum !== undefined && (await sha256File(full)) !== sum)
      throw new RunFolderDamage(shown, 'does not match the checksum written with it (the bytes changed)');
    return full;
  };
  const weights = await file(meta.weightsManifest);
  const optimizer = meta.optimizerManifest ? await file(meta.optimizerManifest) : undefined;
  return { dir, meta, files: { weights, ...(optimizer ? { optimizer } : {}) } };
}

/** A checkpoint folder of a run, checked. */
export interface CheckpointEntry {
  /** Folder name, e.g. `e0002-s000000468`. */
  name: string;
  /** The checked checkpoint, or why it cannot be used. */
  result: { ok: true; checkpoint: CheckedCheckpoint } | { ok: false; damage: RunDamage };
}

/** Every `checkpoints/e…-s…` folder of a run, newest first, each checked. */
export async function listCheckpoints(runDir: string, check: CheckpointCheck): Promise<CheckpointEntry[]> {
  const root = path.join(runDir, 'checkpoints');
  const names = (await fs.readdir(root).catch(() => [] as string[]))
    .filter((n) => CHECKPOINT_NAME.test(n))
    .sort()
    .reverse();
  const out: CheckpointEntry[] = [];
  for (const name of names) {
    const label = `checkpoints/${name}`;
    try {
      const dir = await confinedPath(runDir, label, label);
      out.push({ name, result: { ok: true, checkpoint: await checkCheckpoint(dir, label, check) } });
    } catch (e) {
      const damage = damageOf(e);
      if (!damage) throw e;
      out.push({ name, result: { ok: false, damage } });
    }
  }
  return out;
}

/** The checkpoint a resume continues from, and what the person should be told about the choice. */
export interface ResumePoint {
  /** The checkpoint, or undefined when the run has none (it starts from the beginning). */
  checkpoint?: CheckedCheckpoint & { name: string };
  /** Damaged checkpoints (and latest.json) passed over. */
  skipped: RunDamage[];
  /** One sentence: which checkpoint and why, e.g. a fallback past a damaged newer one. */
  note: string;
}

/**
 * Chooses where a resume continues: the checkpoint latest.json names when it is intact, else the
 * newest intact checkpoint folder (saying which and why). latest.json is only a hint, written after
 * the folder: missing, unreadable or naming a missing folder, it never hides an intact checkpoint
 * beside it. Throws a {@link RunFolderDamage} when checkpoints exist but none is intact.
 */
export async function chooseResumePoint(runDir: string): Promise<ResumePoint> {
  const skipped: RunDamage[] = [];
  let latest: string | undefined;
  try {
    latest = (await readRunJson(runDir, 'checkpoints/latest.json', LatestPointerSchema))?.dir;
    if (latest === undefined) skipped.push({ file: 'checkpoints/latest.json', reason: 'is missing' });
  } catch (e) {
    const damage = damageOf(e);
    if (!damage) throw e;
    skipped.push(damage);
  }
  const entries = await listCheckpoints(runDir, 'checksum');
  if (latest !== undefined && !entries.some((e) => e.name === latest))
    skipped.push({ file: 'checkpoints/latest.json', reason: `names ${latest}, which does not exist` });
  const wanted = entries.find((e) => e.name === latest && e.result.ok);
  const newest = entries.find((e) => e.result.ok);
  const chosen = wanted ?? newest;
  for (const e of entries) {
    if (!e.result.ok && (chosen === undefined || e.name > chosen.name)) skipped.push(e.result.damage);
  }
  if (entries.length === 0)
    return { skipped: [], note: 'it has no checkpoint yet, so it starts again from epoch 1' };
  if (!chosen || !chosen.result.ok) {
    const reasons = entries.map((e) =>
      e.result.ok ? '' : `${e.result.damage.file}: ${e.result.damage.reason}`,
    );
    throw new RunFolderDamage(
      'checkpoints',
      `no intact checkpoint to resume from (${reasons.filter((r) => r).join('; ')}); remove the folder checkpoints/ to start over`,
    );
  }
  const { epoch, step } = chosen.result.checkpoint.meta.state;
  const where = `checkpoint ${chosen.name} (epoch ${epoch}, step ${step})`;
  const note =
    chosen === wanted
      ? `from its last ${where}`
      : `from ${where}, the newest intact one: ${skipped.map((d) => `${d.file} ${d.reason}`).join('; ')}`;
  return { checkpoint: { ...chosen.result.checkpoint, name: chosen.name }, skipped, note };
}

/**
 * The checkpoint a finished run's weights are read from (a teacher, an evaluation): the one
 * latest.json names, else the newest folder. Unlike a resume there is no fallback: an older
 * checkpoint is not the finished network, so a damaged newest one is an error naming it.
 */
export async function latestCheckpoint(
  runDir: string,
  check: CheckpointCheck,
): Promise<CheckedCheckpoint | undefined> {
  const root = path.join(runDir, 'checkpoints');
  const names = (await fs.readdir(root).catch(() => [] as string[]))
    .filter((n) => CHECKPOINT_NAME.test(n))
    .sort();
  const latest = await readRunJson(runDir, 'checkpoints/latest.json', LatestPointerSchema);
  if (latest && !names.includes(latest.dir))
    throw new RunFolderDamage('checkpoints/latest.json', `names ${latest.dir}, which does not exist`);
  const name = latest?.dir ?? names[names.length - 1];
  if (name === undefined) return undefined;
  const label = `checkpoints/${name}`;
  return checkCheckpoint(await confinedPath(runDir, label, label), label, check);
}

/**
 * The checkpoint folder of a teacher or an evaluation: a checkpoint folder itself (holding
 * model.json), or a run folder or its `checkpoints/` folder (see {@link latestCheckpoint}).
 * Undefined when the folder holds none of these.
 */
export async function findCheckpointFolder(
  dir: string,
  check: CheckpointCheck,
): Promise<CheckedCheckpoint | undefined> {
  const isDir = async (p: string): Promise<boolean> =>
    (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
  if (!(await isDir(dir))) return undefined;
  if ((await fs.stat(path.join(dir, 'model.json')).catch(() => undefined)) !== undefined)
    return checkCheckpoint(dir, path.basename(dir), check);
  const runDir = path.basename(dir) === 'checkpoints' ? path.dirname(dir) : dir;
  if (!(await isDir(path.join(runDir, 'checkpoints')))) return undefined;
  return latestCheckpoint(runDir, check);
}
