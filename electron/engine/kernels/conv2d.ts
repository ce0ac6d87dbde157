import { Conv2D } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { directConv, directConvFits } from './conv-direct.js';
import { forwardGeometry } from './conv-geometry.js';
import { runStock } from './stock-kernels.js';
import { asWasm, attrsAs, input } from './wasm-backend.js';

/**
 * Conv2D: the lab's direct SIMD convolution for narrow layers (conv-direct.ts), the stock XNNPACK
 * kernel for everything else (wide layers, dilation, NCHW, other dtypes).
 */
const conv2d: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const x = input(inputs, 'x', Conv2D);
  const filter = input(inputs, 'filter', Conv2D);
  const a = attrsAs<Conv2DAttrs>(attrs);
  const dilated = (typeof a.dilations === 'number' ? [a.dilations] : (a.dilations ?? [1])).some(
    (d) => d !== 1,
  );
  const plain =
    !dilated && (a.dataFormat ?? 'NHWC') === 'NHWC' && x.dtype === 'float32' && filter.dtype === 'float32';
  if (plain) {
    const g = forwardGeometry(x.shape, filter.shape, a.strides, a.pad, a.dimRoundingMode);
    if (directConvFits(g, false)) return directConv(backend, x, filter, g);
  }
  return runStock(Conv2D, backend, inputs, { ...a });
};

export const conv2dConfig: KernelConfig = { kernelName: Conv2D, backendName: 'wasm', kernelFunc: conv2d };
