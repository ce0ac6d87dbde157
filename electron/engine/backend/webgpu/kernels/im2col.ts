import { env, type backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { runFlatProgram, type FlatProgram } from './program.js';

/**
 * Largest im2col matrix of one chunk, in floats: 16 Mi (64 MB), well under every adapter's
 * storage-binding limit (128 MiB by default). The TF.js flag lets the tests force chunking.
 */
env().registerFlag('LGG_WEBGPU_IM2COL_MAX_FLOATS', () => 16 * 2 ** 20);

/** The current chunk budget of im2col matrices, in floats. */
export function maxColsFloats(): number {
  return env().getNumber('LGG_WEBGPU_IM2COL_MAX_FLOATS');
}

/**
 * The im2col matrix of examples [n0, n0 + rows / (OH·OW)) of x (NHWC): row (n·OH + oy)·OW + ox,
 * column (kh·KW + kw)·CI + ci holds x[n, oy·s + kh − p, ox·s + kw − p, ci], 0 outside the image.
 */
export function im2col(
  backend: object,
  x: TensorInfo,
  info: backend_util.Conv2DInfo,
  n0: number,
  rows: number,
): TensorInfo {
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const program: FlatProgram = {
    variableNames: ['x'],
    outputShape: [rows, k],
    shaderKey: 'lab_im2col_nhwc',
    uniforms:
      'pads : vec2<i32>, strides : vec2<i32>, inShape : vec3<i32>, outWidth : i32, outArea : i32, filterWidth : i32, n0 : i32,',
    userCode: `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let row = coords[0];
          let col = coords[1];
          let n = uniforms.n0 + row / uniforms.outArea;
          let pix = row % uniforms.outArea;
          let oy = pix / uniforms.outWidth;
          let ox = pix % uniforms.outWidth;
          let ci = col % uniforms.inShape[2];
          let kk = col / uniforms.inShape[2];
          let iy = oy * uniforms.strides[0] - uniforms.pads[0] + kk / uniforms.filterWidth;
          let ix = ox * uniforms.strides[1] - uniforms.pads[1] + kk % uniforms.filterWidth;
          var v = 0.0;
          if (iy >= 0 && iy < uniforms.inShape[0] && ix >= 0 && ix < uniforms.inShape[1]) {
            v = getX(n, iy, ix, ci);
          }
          setOutputAtIndex(index, v);
        }
      }`,
  };
  return runFlatProgram(backend, program, [x], 'float32', [
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.inHeight, info.inWidth, info.inChannels] },
    { type: 'int32', data: [info.outWidth] },
    { type: 'int32', data: [info.outHeight * info.outWidth] },
    { type: 'int32', data: [info.filterWidth] },
    { type: 'int32', data: [n0] },
  ]);
}
