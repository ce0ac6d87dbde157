import path from 'node:path';
import { LabFailure } from '../../../shared/result.js';
import { chooseResumePoint, damageOf } from '../../common/run-folder/index.js';
import { takeGpuFault, type GpuFault } from '../backend/webgpu/index.js';
import type { RunContext } from './experiment.js';

const WHAT: Record<GpuFault['kind'], { code: string; text: string; fix: string }> = {
  'out-of-memory': {
    code: 'gpu-out-of-memory',
    text: 'The GPU ran out of memory',
    fix: 'Lower training.batchSize or use a smaller model.',
  },
  'too-large': {
    code: 'gpu-out-of-memory',
    text: 'A tensor is larger than the GPU allows',
    fix: 'Lower training.batchSize or use a smaller model (see the adapter limits in lgg-lab info).',
  },
  'device-lost': {
    code: 'gpu-device-lost',
    text: 'The GPU device was lost (driver reset, GPU removed or hung)',
    fix: 'Check the GPU driver (a second run on the same GPU, a suspend, a driver update can cause it).',
  },
  'gpu-error': {
    code: 'gpu-error',
    text: 'The GPU reported an error',
    fix: 'Retry on another backend; report the message if it repeats.',
  },
};

/**
 * Where a resume of this run would continue, found as the resume itself finds it (schemas and
 * checksums of the run folder): the epoch of the newest intact checkpoint, none, or why none is usable.
 */
async function resumePoint(runDir: string): Promise<{ epoch?: number; damage?: string }> {
  try {
    const point = await chooseResumePoint(runDir);
    return point.checkpoint ? { epoch: point.checkpoint.meta.state.epoch } : {};
  } catch (e) {
    const d = damageOf(e);
    // The fault is the error to report: a failure to read the folder only changes its advice.
    return {
      damage: d ? `${d.file}: ${d.reason}` : `its checkpoints could not be read (${(e as Error).message})`,
    };
  }
}

/**
 * The run error for a GPU fault: what happened to which model at which batch size, the device's
 * message, the fix, and where the run can continue from (the last checkpoint, on any backend).
 */
export async function gpuRunFailure(fault: GpuFault, ctx: RunContext): Promise<LabFailure> {
  const w = WHAT[fault.kind];
  const { epoch, damage } = await resumePoint(ctx.runDir);
  const id = path.basename(ctx.runDir);
  const resume =
    epoch !== undefined
      ? ` The checkpoint of epoch ${epoch} is kept: lgg-lab resume ${id} --backend wasm continues from it (any backend).`
      : damage !== undefined
        ? ` No resume can continue it: ${damage}.`
        : ' No checkpoint was written yet: start the run again.';
  return new LabFailure(
    w.code,
    `${w.text} training ${ctx.model.description} at batch size ${ctx.spec.training.batchSize} ` +
      `(${fault.message}). ${w.fix}${resume}`,
    { fault, model: ctx.model.description, batchSize: ctx.spec.training.batchSize, checkpointEpoch: epoch },
  );
}

/**
 * Throws the run error if the GPU reported a fault since the last check. WebGPU reports an
 * allocation failure or a lost device asynchronously and lets later kernels compute nothing, so
 * the trainer asks after every step rather than trusting the step's numbers.
 */
export async function assertDeviceHealthy(ctx: RunContext): Promise<void> {
  const fault = takeGpuFault();
  if (fault) throw await gpuRunFailure(fault, ctx);
}

/** `e` replaced by the run error when a GPU fault is behind it (a lost device rejects every read). */
export async function withDeviceFault(e: unknown, ctx: RunContext): Promise<unknown> {
  const fault = takeGpuFault();
  return fault ? await gpuRunFailure(fault, ctx) : e;
}
