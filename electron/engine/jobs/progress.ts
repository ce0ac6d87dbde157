import type { JobIo } from '../train/run-setup.js';

/** Reports step `step` of `total` of a one-shot job (bench, gpu-check) as a progress message. */
export function jobProgress(io: JobIo, runId: string, step: number, total: number, detail: string): void {
  io.emit({
    type: 'progress',
    progress: {
      runId,
      phase: 'evaluating',
      epoch: 0,
      totalEpochs: 0,
      step,
      stepsPerEpoch: total,
      samplesPerSec: 0,
      etaSec: 0,
      detail,
    },
  });
}
