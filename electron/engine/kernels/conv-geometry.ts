import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs } from '@tensorflow/tfjs-core';

/** Forward geometry of an NHWC, dilation-1 2-D convolution, as both backward kernels need it. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

type Shape4 = [number, number, number, number];

export function toShape4(shape: readonly number[], what: string): Shape4 {
  const [a, b, c, d] = shape;
  if (shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`${what} must be rank 4, got shape [${shape.join(', ')}]`);
  }
  return [a, b, c, d];
}

export function assertNhwc(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} (lab wasm kernel) supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
}

/**
 * Geometry from tfjs's own padding rules, with the output size taken from dy itself: tfjs-core's
 * Conv2D gradient does not forward dimRoundingMode to the backprop kernels, so recomputing the output
 * size from the attrs can disagree with the dy actually passed (the cpu backend also indexes by dy).
 */
export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  dyShape: readonly number[],
  strides: Conv2DAttrs['strides'],
  pad: Conv2DAttrs['pad'],
  dimRoundingMode: Conv2DAttrs['dimRoundingMode'],
): ConvGeometry {
  const g = forwardGeometry(xShape, filterShape, strides, pad, dimRoundingMode);
  const [dyBatch, outH, outW, outC] = toShape4(dyShape, 'conv dy');
  if (dyBatch !== g.batch || outC !== g.outC) {
    throw new Error(
      `conv dy shape [${dyShape.join(', ')}] does not fit input [${xShape.join(', ')}] and filter [${filterShape.join(', ')}]`,
    );
  }
  return { ...g, outH, outW };
}

/**
 * Output pixels per GEMM in the backward kernels (rounded down to whole output rows). Bounds the
 * patch-matrix scratch to patch × 2048 floats (one product over the whole batch would need 59 MB for
 * the reference CNN's conv2 at batch 256, 151 MB for a PreActResNet-18 downsampling layer), and
 * measured slightly faster than one large product (512-2048 within noise; 4096 or unchunked 10-20%
 * slower).
 */
const GEMM_CHUNK_PIXELS = 2048;

export function rowsPerGemmChunk(g: ConvGeometry): number {
  return Math.max(1, Math.floor(GEMM_CHUNK_PIXELS / Math.max(1, g.outW)));
}

/** Geometry of a forward NHWC convolution (dilation 1), from tfjs's own padding and rounding rules. */
export function forwardGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: Conv2DAttrs['strides'],
  pad: Conv2DAttrs['pad'],
  dimRoundingMode: Conv2DAttrs['dimRoundingMode'],
): ConvGeometry {
  const info = backend_util.computeConv2DInfo(
    toShape4(xShape, 'conv input'),
    toShape4(filterShape, 'conv filter'),
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
