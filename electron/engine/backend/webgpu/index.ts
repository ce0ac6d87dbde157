// The WebGPU backend: TF.js's WebGPU kernels on Dawn's Node bindings (Vulkan, Metal, Direct3D 12).
export {
  adapterFix,
  adapterLabel,
  describeAdapter,
  findAdapters,
  pickAdapter,
  type FoundAdapter,
} from './adapter.js';
export { exposeGpu, loadDawn } from './dawn.js';
export { releaseWebGpu, startWebGpu, webGpuAdapter, webGpuDevice } from './backend.js';
export { classifyGpuError, peekGpuFault, takeGpuFault, type GpuFault } from './faults.js';
