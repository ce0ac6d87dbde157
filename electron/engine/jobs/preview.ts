import * as tf from '@tensorflow/tfjs-core';
import type { PreviewJob, PreviewResult } from '../../../shared/engine-protocol.js';
import { BatchAssembler } from '../data/batches.js';
import { loadDataset } from '../data/dataset.js';
import { probeIndices } from '../data/sampling.js';
import { buildLgg, sparsity } from '../lgg/graph.js';
import { readAllTidy } from '../nn/read.js';
import { interClassPairs, labelSmoothness, oneHot } from '../lgg/smoothness.js';

/** The LGG of a class-sorted sample batch of raw (normalised) inputs: the graph playground. */
export async function preview(job: PreviewJob): Promise<PreviewResult> {
  const data = await loadDataset(job.dataDir, job.dataset);
  const idx = probeIndices(data.test.y, data.classes, job.perClass, 0);
  const batch = new BatchAssembler(data.test, data.shape, { mean: data.meta.mean, std: data.meta.std }).make(
    idx,
  );
  try {
    const [values = [], [s1 = 0] = []] = await readAllTidy(() => {
      const { graph } = buildLgg(batch.x, job.lgg);
      return [graph, labelSmoothness(graph, oneHot(batch.labels, data.classes), 1)];
    });
    const labels = Array.from(batch.labelArray);
    return {
      labels,
      graph: Array.from(values),
      sigma1: s1,
      sigma1Pairs: s1 / Math.max(1, interClassPairs(labels)),
      sparsity: sparsity(values, labels.length),
    };
  } finally {
    tf.dispose([batch.x, batch.labels]);
  }
}
