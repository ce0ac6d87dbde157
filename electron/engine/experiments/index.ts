import { LabFailure } from '../../../shared/result.js';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import type { ExperimentPlugin } from '../train/experiment.js';
import { trainPlugin } from '../train/train-plugin.js';

/** The plugin of an experiment kind. */
export function createPlugin(spec: ExperimentSpec, classes: number): ExperimentPlugin {
  switch (spec.kind) {
    case 'train':
      return trainPlugin(classes);
    default:
      throw new LabFailure('unsupported', `experiment kind "${spec.kind}" is not available in this build`);
  }
}
