import type { DeviceApi, GpuErrorApi } from './gpu-api.js';

/** What went wrong on the GPU device. */
export interface GpuFault {
  /**
   * `out-of-memory`: an allocation failed; `too-large`: a tensor exceeds a device limit (a buffer
   * or a storage binding); `device-lost`: the driver reset or removed the device; `gpu-error`: any
   * other error the device reported (validation, internal).
   */
  kind: 'out-of-memory' | 'too-large' | 'device-lost' | 'gpu-error';
  /** The device's own message (first line). */
  message: string;
}

// WebGPU does not throw at the call that fails: the error is reported to the device's
// `uncapturederror` handler and the operation yields an invalid object, so later kernels
// silently compute nothing. The first fault is kept until the trainer asks (after every step).
let fault: GpuFault | undefined;
let releasing = false;

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim().length > 0) ?? s).trim();
}

/** The kind of a GPUError, from its class (GPUOutOfMemoryError, …) and message. */
export function classifyGpuError(error: GpuErrorApi): GpuFault {
  const name = (error as { constructor?: { name?: string } }).constructor?.name ?? '';
  const message = firstLine(error.message);
  if (name === 'GPUOutOfMemoryError' || /out of memory/i.test(message))
    return { kind: 'out-of-memory', message };
  if (/exceeds the max|larger than the maximum|maxBufferSize|maxStorageBufferBindingSize/i.test(message)) {
    return { kind: 'too-large', message };
  }
  return { kind: 'gpu-error', message };
}

/** Records the device's uncaptured errors and its loss (other than the lab's own release). */
export function watchDevice(device: DeviceApi): void {
  fault = undefined;
  releasing = false;
  device.onuncapturederror = (event) => {
    fault ??= classifyGpuError(event.error);
  };
  void device.lost.then((info) => {
    if (!releasing) fault ??= { kind: 'device-lost', message: `${info.reason}: ${firstLine(info.message)}` };
  });
}

/** Marks the coming loss of the device as the lab's own doing (run end), not a fault. */
export function releasingDevice(): void {
  releasing = true;
}

/** The first fault since the device was created (or since the last call), then forgets it. */
export function takeGpuFault(): GpuFault | undefined {
  const f = fault;
  fault = undefined;
  return f;
}

/** The first fault, without forgetting it. */
export function peekGpuFault(): GpuFault | undefined {
  return fault;
}
