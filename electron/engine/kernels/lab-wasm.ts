import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackendWasm } from './wasm-backend.js';

/**
 * The exports of the lab's own WebAssembly module (wasm/kernels.ts, AssemblyScript with 128-bit
 * SIMD). It imports the TF.js wasm backend's memory: arguments are byte offsets of tensors on that
 * heap, so the kernels read and write tensors in place.
 */
export interface LabWasm {
  sgdStep(
    w: number,
    g0: number,
    b: number,
    n: number,
    wd: number,
    m: number,
    lr: number,
    nesterov: number,
    wOut: number,
    bOut: number,
  ): void;
  channelSums(x: number, rows: number, c: number, out: number): void;
  channelCentredSquares(x: number, rows: number, c: number, mean: number, out: number): void;
  batchNormForward(
    x: number,
    rows: number,
    c: number,
    mean: number,
    invStd: number,
    gamma: number,
    beta: number,
    xHat: number,
    y: number,
  ): void;
  batchNormGradSums(
    dy: number,
    xHat: number,
    rows: number,
    c: number,
    sumDy: number,
    sumDyXHat: number,
  ): void;
  batchNormBackward(
    dy: number,
    xHat: number,
    rows: number,
    c: number,
    scale: number,
    meanDy: number,
    meanDyXHat: number,
    dx: number,
  ): void;
  padImages(
    x: number,
    n: number,
    h: number,
    w: number,
    c: number,
    top: number,
    bottom: number,
    left: number,
    right: number,
    out: number,
  ): void;
  conv2dPadded(
    xp: number,
    n: number,
    ph: number,
    pw: number,
    inC: number,
    filter: number,
    kh: number,
    kw: number,
    outC: number,
    sh: number,
    sw: number,
    outH: number,
    outW: number,
    out: number,
  ): void;
  conv3x3FilterGradNarrow(
    xp: number,
    ph: number,
    pw: number,
    inC: number,
    dy: number,
    outH: number,
    outW: number,
    outC: number,
    sh: number,
    sw: number,
    row0: number,
    row1: number,
    ci: number,
    co: number,
    dw: number,
  ): void;
  maxPool2x2Grad(
    x: number,
    dy: number,
    n: number,
    inH: number,
    inW: number,
    c: number,
    outH: number,
    outW: number,
    dx: number,
  ): void;
  rowNormalize(x: number, rows: number, d: number, y: number, ss: number): void;
  rowNormalizeGrad(dy: number, y: number, ss: number, rows: number, d: number, dx: number): void;
  gramPacked(y: number, n: number, d: number, out: number, panel: number): void;
  addTranspose(g: number, n: number, s: number): void;
  matMulPacked(a: number, m: number, k: number, b: number, n: number, out: number, panel: number): void;
  conv2dFilterGrad(
    xp: number,
    ph: number,
    pw: number,
    inC: number,
    dy: number,
    outH: number,
    outW: number,
    outC: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    row0: number,
    row1: number,
    dw: number,
  ): void;
}

/** Where `npm run build:wasm` writes the module, beside the compiled kernels (or, from sources, in dist/). */
export function labWasmFile(): string {
  const beside = new URL('./lab-kernels.wasm', import.meta.url);
  if (import.meta.url.endsWith('.js')) return fileURLToPath(beside);
  return fileURLToPath(new URL('../../../dist/electron/engine/kernels/lab-kernels.wasm', import.meta.url));
}

// The engine's lib has no DOM types: the few WebAssembly API members used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiled: object | null | undefined;
const instances = new WeakMap<object, LabWasm>();

/** The compiled module, or null when the file is missing (not built). */
function labModule(): object | null {
  if (compiled === undefined) {
    const file = labWasmFile();
    // Small (a few kB): compiled synchronously, once per thread.
    compiled = existsSync(file) ? new wasmApi.Module(readFileSync(file)) : null;
  }
  return compiled;
}

/** True when the lab's module was built (`npm run build:wasm`). */
export function labWasmAvailable(): boolean {
  return labModule() !== null;
}

/** The lab's kernels bound to a wasm backend's heap. Throws when the module was not built. */
export function labWasm(backend: BackendWasm): LabWasm {
  const memory = (backend.wasm as unknown as { asm: { memory: object } }).asm.memory;
  let instance = instances.get(memory);
  if (!instance) {
    const module = labModule();
    if (!module)
      throw new Error(`the lab's wasm kernels are not built (${labWasmFile()}): run npm run build:wasm`);
    instance = new wasmApi.Instance(module, { env: { memory } }).exports as LabWasm;
    instances.set(memory, instance);
  }
  return instance;
}
