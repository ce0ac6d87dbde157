import type { ExperimentPlugin } from './experiment.js';
import { crossEntropy } from './losses.js';

/** The `train` kind: cross-entropy on the logits (also how teachers are made). */
export function trainPlugin(classes: number): ExperimentPlugin {
  return {
    outputDim: classes,
    trainTaps: new Set(),
    loss(_ctx, batch, out) {
      const ce = crossEntropy(out.output, batch.labels);
      return { total: ce, components: { ce } };
    },
    dispose() {},
  };
}
