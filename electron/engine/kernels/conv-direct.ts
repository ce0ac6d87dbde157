import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv-geometry.js';
import { labWasm, labWasmAvailable } from './lab-wasm.js';
import { allocF32, release, type BackendWasm } from './wasm-backend.js';

/**
 * Direct convolutions in the lab's SIMD wasm module (wasm/kernels.ts), for the narrow layers where
 * XNNPACK loses most: it re-packs the filter on every call (the weights change every step) and its
 * GEMM tiles are wide, while the WideResNet's 16–64-channel 3×3 layers give it products of 16–64
 * columns. Measured (CPU time, one thread, batch 128, against the XNNPACK/GEMM paths these replace,
 * on a loaded 2-core machine, ±15 %): filter gradient 2.9× (16 → 16 at 32×32), 3.3× (16 → 32 stride
 * 2), 1.6× (32 → 32), 1.1× (64 → 64); the reference CNN's 1-channel stem 5×; forward 1.1–1.4× (the
 * 14-wide layers gained most once pixel blocks crossed rows); input gradient on par. From 128
 * channels XNNPACK is as fast, so wider layers stay there.
 */

/** Widest layer (in or out channels) the direct kernels take; wider ones stay on XNNPACK. */
const MAX_DIRECT_CHANNELS = 64;
/** Bytes of input and gradient per chunk of output rows in the filter gradient (stays in L2). */
const FILTER_CHUNK_BYTES = 192 * 1024;

/** Whether the direct kernels can run this geometry (channels in multiples of 4, narrow layers). */
export function directConvFits(g: ConvGeometry, needInC4: boolean): boolean {
  return (
    labWasmAvailable() &&
    g.outC % 4 === 0 &&
    (!needInC4 || g.inC % 4 === 0 || narrowStem(g)) &&
    Math.max(g.inC, g.outC) <= MAX_DIRECT_CHANNELS
  );
}

/** A 3×3 layer on 1–3 input channels (a stem), whose filter gradient has its own kernel. */
function narrowStem(g: ConvGeometry): boolean {
  return g.inC < 4 && g.kH === 3 && g.kW === 3;
}

interface Padded {
  info: TensorInfo;
  ph: number;
  pw: number;
}

/** x with a zero border: top/left pads as given, bottom/right as far as the last tap reaches. */
function padded(backend: BackendWasm, x: TensorInfo, g: ConvGeometry, top: number, left: number): Padded {
  const ph = Math.max(g.inH + top, (g.outH - 1) * g.strideH + g.kH);
  const pw = Math.max(g.inW + left, (g.outW - 1) * g.strideW + g.kW);
  const info = allocF32(backend, [g.batch, ph, pw, g.inC]);
  const ptr = (t: TensorInfo): number => backend.getMemoryOffset(t.dataId);
  labWasm(backend).padImages(
    ptr(x),
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    top,
    ph - g.inH - top,
    left,
    pw - g.inW - left,
    ptr(info),
  );
  return { info, ph, pw };
}

/** out [batch, outH, outW, outC] = conv(x, filter) with the padding and strides of `g`. */
export function directConv(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const out = allocF32(backend, [g.batch, g.outH, g.outW, g.outC]);
  const xp = padded(backend, x, g, g.padTop, g.padLeft);
  const ptr = (t: TensorInfo): number => backend.getMemoryOffset(t.dataId);
  labWasm(backend).conv2dPadded(
    ptr(xp.info),
    g.batch,
    xp.ph,
    xp.pw,
    g.inC,
    ptr(filter),
    g.kH,
    g.kW,
    g.outC,
    g.strideH,
    g.strideW,
    g.outH,
    g.outW,
    ptr(out),
  );
  release(backend, xp.info);
  return out;
}

/** dW [kH, kW, inC, outC] of a convolution, from its input x and output gradient dy. */
export function directFilterGrad(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
): TensorInfo {
  const dw = allocF32(backend, [g.kH, g.kW, g.inC, g.outC]);
  const xp = padded(backend, x, g, g.padTop, g.padLeft);
  const ptr = (t: TensorInfo): number => backend.getMemoryOffset(t.dataId);
  const lab = labWasm(backend);
  (backend.typedArrayFromHeap(dw) as Float32Array).fill(0);
  const rows = g.batch * g.outH;
  const rowBytes = 4 * (g.outW * g.outC + g.kH * xp.pw * g.inC);
  const chunk = Math.max(1, Math.floor(FILTER_CHUNK_BYTES / rowBytes));
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(rows, r0 + chunk);
    if (narrowStem(g)) {
      for (let ci = 0; ci < g.inC; ci++) {
        for (let co = 0; co < g.outC; co += 4) {
          lab.conv3x3FilterGradNarrow(
            ptr(xp.info),
            xp.ph,
            xp.pw,
            g.inC,
            ptr(dy),
            g.outH,
            g.outW,
            g.outC,
            g.strideH,
            g.strideW,
            r0,
            r1,
            ci,
            co,
            ptr(dw),
          );
        }
      }
      continue;
    }
    lab.conv2dFilterGrad(
      ptr(xp.info),
      xp.ph,
      xp.pw,
      g.inC,
      ptr(dy),
      g.outH,
      g.outW,
      g.outC,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      r0,
      r1,
      ptr(dw),
    );
  }
  release(backend, xp.info);
  return dw;
}
