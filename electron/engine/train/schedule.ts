import type { Schedule } from '../../../shared/spec/training.js';

/**
 * Learning rate for a step. Multi-step changes at epoch boundaries (0-based epoch ≥ milestone);
 * cosine anneals per step from `lr` to `minLr` over the whole run.
 */
export function learningRate(
  base: number,
  schedule: Schedule,
  epoch: number,
  stepInEpoch: number,
  stepsPerEpoch: number,
  epochs: number,
): number {
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'multistep': {
      const passed = schedule.milestones.filter((m) => epoch >= m).length;
      return base * schedule.gamma ** passed;
    }
    case 'cosine': {
      const total = Math.max(1, epochs * stepsPerEpoch);
      const t = Math.min(total, epoch * stepsPerEpoch + stepInEpoch);
      return schedule.minLr + 0.5 * (base - schedule.minLr) * (1 + Math.cos((Math.PI * t) / total));
    }
  }
}
