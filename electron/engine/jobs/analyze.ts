import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { AnalyzeJob, AnalyzeLayer, AnalyzeResult } from '../../../shared/engine-protocol.js';
import type { LggOptions } from '../../../shared/lgg-options.js';
import { LabFailure } from '../../../shared/result.js';
import { writeNpy } from '../../common/npy-file.js';
import { buildLgg, graphDistance, sparsity, type Lgg } from '../lgg/graph.js';
import { interClassPairs, labelSmoothness, oneHot } from '../lgg/smoothness.js';
import { readScalar, readTidy } from '../nn/read.js';
import { readLabels, readLayer } from './npy-inputs.js';

/** σ, σ per pair and sparsity of a graph. */
async function describeGraph(
  file: string,
  dim: number,
  g: tf.Tensor2D,
  y: tf.Tensor2D,
  pairs: number,
): Promise<AnalyzeLayer> {
  const [[m1 = 0, m2 = 0], values] = await Promise.all([
    readTidy(() => tf.stack([labelSmoothness(g, y, 1), labelSmoothness(g, y, 2)])),
    g.data(),
  ]);
  return {
    file,
    dim,
    sigma: { m1, m2 },
    sigmaPairs: { m1: m1 / pairs, m2: m2 / pairs },
    sparsity: sparsity(values, g.shape[0]),
  };
}

/** The LGG of a layer built in a tidy: only its graph and mask outlive it (the caller disposes them). */
function lggOf(x: tf.Tensor2D, o: LggOptions, mask?: tf.Tensor2D): Lgg {
  let lgg: Lgg | undefined;
  tf.tidy(() => {
    lgg = buildLgg(x, o, mask);
    tf.keep(lgg.graph);
    if (lgg.mask) tf.keep(lgg.mask);
  });
  return lgg as Lgg;
}

async function saveGraph(dir: string, name: string, g: tf.Tensor2D): Promise<string> {
  const file = path.join(dir, name);
  await writeNpy(file, Float32Array.from(await g.data()), g.shape);
  return file;
}

/**
 * LGG metrics of embeddings computed anywhere (`lgg-lab analyze`): per layer σ (m = 1, 2), σ per
 * inter-class pair and sparsity; with teacher layers, the teacher's graphs (whose kNN masks the
 * student reuses when `maskSource` is `teacher`) and the GKD term per pair.
 */
export async function analyze(job: AnalyzeJob): Promise<AnalyzeResult> {
  const labels = await readLabels(job.labels);
  const b = labels.length;
  if (b < 2) throw new LabFailure('invalid-input', `${job.labels}: ${b} labels; a batch needs at least 2`);
  const classes = Math.max(...labels) + 1;
  const pairs = Math.max(1, interClassPairs(labels));
  if (job.teacherLayers && job.teacherLayers.length !== job.layers.length) {
    throw new LabFailure(
      'invalid-input',
      `${job.layers.length} layers but ${job.teacherLayers.length} teacher layers: they pair in order`,
    );
  }
  if (job.saveGraphDir) await fs.mkdir(job.saveGraphDir, { recursive: true });
  // tf.oneHot needs a depth ≥ 2; a batch of one class is valid (σ = 0), an empty column changes nothing.
  const y = tf.tidy(() => oneHot(tf.tensor1d(labels, 'int32'), Math.max(2, classes)));
  const layers: AnalyzeLayer[] = [];
  const teacherLayers: AnalyzeLayer[] = [];
  const perPair: number[] = [];
  try {
    for (let i = 0; i < job.layers.length; i++) {
      const file = job.layers[i] ?? '';
      const tfile = job.teacherLayers?.[i];
      const x = await readLayer(file);
      const xt = tfile ? await readLayer(tfile) : undefined;
      try {
        for (const [f, t] of [
          [file, x],
          [tfile, xt],
        ] as const) {
          if (t && t.shape[0] !== b)
            throw new LabFailure('invalid-input', `${f}: ${t.shape[0]} rows but ${b} labels`);
        }
        const teacher: Lgg | undefined = xt ? lggOf(xt, job.lgg) : undefined;
        const own = lggOf(x, job.lgg);
        const paired =
          teacher && job.lgg.maskSource === 'teacher' && teacher.mask ? lggOf(x, job.lgg, teacher.mask) : own;
        const layer = await describeGraph(file, x.shape[1], own.graph, y, pairs);
        if (job.saveGraphDir) layer.graphFile = await saveGraph(job.saveGraphDir, `graph${i}.npy`, own.graph);
        layers.push(layer);
        if (teacher && tfile && xt) {
          const tl = await describeGraph(tfile, xt.shape[1], teacher.graph, y, pairs);
          if (job.saveGraphDir) {
            tl.teacherGraphFile = await saveGraph(job.saveGraphDir, `teacher_graph${i}.npy`, teacher.graph);
            if (paired !== own)
              await saveGraph(job.saveGraphDir, `student_graph_teacher_mask${i}.npy`, paired.graph);
          }
          teacherLayers.push(tl);
          perPair.push(await readScalar(() => graphDistance(teacher.graph, paired.graph, job.gkd.reduction)));
        }
        tf.dispose(
          [own.graph, own.mask, paired.graph, teacher?.graph, teacher?.mask].filter(
            (t): t is tf.Tensor2D => !!t,
          ),
        );
      } finally {
        tf.dispose([x, ...(xt ? [xt] : [])]);
      }
    }
  } finally {
    y.dispose();
  }
  const result: AnalyzeResult = { batch: b, classes, interClassPairs: pairs, lgg: job.lgg, layers };
  if (job.teacherLayers) {
    result.teacherLayers = teacherLayers;
    const total = (job.gkd.weight / Math.max(1, perPair.length)) * perPair.reduce((s, v) => s + v, 0);
    result.gkd = { weight: job.gkd.weight, reduction: job.gkd.reduction, perPair, total };
  }
  return result;
}
