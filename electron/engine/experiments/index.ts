import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import type { ExperimentPlugin } from '../train/experiment.js';
import { trainPlugin } from '../train/train-plugin.js';
import { distillPlugin } from './distill.js';
import { geometryPlugin } from './geometry.js';
import { robustPlugin } from './robust.js';

/** The plugin of an experiment kind. */
export function createPlugin(spec: ExperimentSpec, classes: number): ExperimentPlugin {
  switch (spec.kind) {
    case 'train':
      return trainPlugin(classes);
    case 'distill':
      return distillPlugin(spec, classes);
    case 'geometry':
      return geometryPlugin(spec, classes);
    case 'robust':
      return robustPlugin(spec, classes);
  }
}
