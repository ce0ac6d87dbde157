import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GKD_LGG, type LggOptions } from '../../../shared/lgg-options.js';
import type { ProbeSnapshot, ProbeTap } from '../../../shared/run-types.js';
import { writeJsonAtomic } from '../../common/atomic-file.js';
import { encodeNpy } from '../../common/npy-file.js';
import { buildLgg, sparsity } from '../lgg/graph.js';
import { interClassPairs, labelSmoothness, oneHot } from '../lgg/smoothness.js';
import type { ExperimentPlugin, RunContext } from './experiment.js';
import { resolveTaps } from './taps.js';

/** Folder of the snapshot of an epoch, relative to the run folder. */
export function probeDirName(epoch: number): string {
  return path.join('probes', `e${String(epoch).padStart(4, '0')}`);
}

/** Whether the spec asks for a snapshot after `epoch` (0 = before training). */
export function wantsProbe(ctx: RunContext, epoch: number): boolean {
  const e = ctx.spec.probe.epochs;
  return e === 'all' ? true : e.includes(epoch);
}

/** A one-line description of graph options, stored with the snapshot. */
export function describeLgg(o: LggOptions): string {
  const parts = [o.similarity === 'rbf' ? `rbf α=${o.rbfAlpha}` : 'cosine'];
  if (o.negatives === 'clamp') parts.push('clamped');
  parts.push(o.selfLoops === 'remove' ? 'no self-loops' : 'self-loops');
  parts.push(o.normalization === 'sym' ? 'sym-normalised' : 'unnormalised');
  parts.push(o.k === null ? 'dense' : `k=${o.k}`);
  if (o.power !== 1) parts.push(`p=${o.power}`);
  return parts.join(', ');
}

/**
 * Records the LGG of every probe tap on the probe batch after `epoch`: graphs as `.npy`
 * (B×B float32, class-sorted), σ (m = 1, 2), σ per inter-class pair and sparsity in `index.json`.
 */
export async function takeProbeSnapshot(
  ctx: RunContext,
  plugin: ExperimentPlugin,
  epoch: number,
): Promise<ProbeSnapshot> {
  const taps = resolveTaps(ctx.model, ctx.spec.probeTaps, 'probeTaps');
  const opts = plugin.probeGraph ?? GKD_LGG;
  const rel = probeDirName(epoch);
  const dir = path.join(ctx.runDir, rel);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const batch = ctx.testBatches.make(ctx.indices.probe);
  const labels = Array.from(batch.labelArray);
  const pairs = Math.max(1, interClassPairs(labels));
  const entries: ProbeTap[] = [];
  const files: [string, Uint8Array][] = [];
  // Graphs and their σ stay on the device until all are computed, then are read in one go.
  const computed = tf.tidy(() => {
    const out = ctx.model.forward(batch.x, { training: false, bnUpdates: [] }, new Set(taps));
    const y = oneHot(batch.labels, ctx.data.classes);
    return taps.flatMap((tap) => {
      const rep = out.taps.get(tap);
      if (!rep) return [];
      const { graph } = buildLgg(rep, opts);
      const sigmas = tf.stack([labelSmoothness(graph, y, 1), labelSmoothness(graph, y, 2)]);
      return [{ tap, dim: rep.size / (rep.shape[0] ?? 1), graph, sigmas }];
    });
  });
  try {
    for (const c of computed) {
      const [values, [s1 = 0, s2 = 0]] = await Promise.all([c.graph.data(), c.sigmas.data()]);
      const file = path.join(rel, `${c.tap}.npy`);
      files.push([file, encodeNpy(Float32Array.from(values), c.graph.shape)]);
      entries.push({
        tap: c.tap,
        dim: c.dim,
        sigma1: s1,
        sigma2: s2,
        sigma1Pairs: s1 / pairs,
        sparsity: sparsity(values, c.graph.shape[0]),
        files: { graph: file },
      });
    }
  } finally {
    tf.dispose([batch.x, batch.labels, ...computed.flatMap((c) => [c.graph, c.sigmas])]);
  }
  await Promise.all(files.map(([f, bytes]) => fs.writeFile(path.join(ctx.runDir, f), bytes)));
  const snapshot: ProbeSnapshot = { epoch, labels, graph: describeLgg(opts), taps: entries };
  await plugin.probeExtras?.(ctx, snapshot, dir);
  await writeJsonAtomic(path.join(dir, 'index.json'), snapshot);
  return snapshot;
}
