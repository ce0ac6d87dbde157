import { Cast, Identity } from '@tensorflow/tfjs-core';
import type { CastAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runStock } from './stock-kernels.js';
import { asWasm, attrsAs, input } from './wasm-backend.js';
import type { BackendWasm } from './wasm-backend.js';

// The engine clones every tensor a gradient saves (inputs of conv2d, matMul, relu, maxPool, …) through
// the Identity kernel, and ReLU's gradient casts float32 to float32. The stock wasm kernels copy the
// data each time (~30 full-activation copies per training step of the reference CNN). Tensors are
// immutable, so, as the cpu and webgl backends do, we share the buffer and count the reference; the
// wasm backend's own Reshape already aliases buffers the same way.

function alias(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const identity: KernelFunc = ({ inputs, backend }) => {
  const x = input(inputs, 'x', Identity);
  if (x.dtype === 'string') return runStock(Identity, asWasm(backend), inputs);
  return alias(asWasm(backend), x);
};

const cast: KernelFunc = ({ inputs, backend: untyped, attrs }) => {
  const backend = asWasm(untyped);
  const x = input(inputs, 'x', Cast);
  const { dtype } = attrsAs<CastAttrs>(attrs);
  if (dtype === x.dtype && dtype !== 'string' && dtype !== 'complex64') return alias(backend, x);
  if (dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32')) return toBool(backend, x);
  return runStock(Cast, backend, inputs, { dtype });
};

/** The stock kernel copies raw values into the bool buffer (3 stays 3, −1 becomes 255); bool is x ≠ 0. */
function toBool(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const out = backend.makeOutput(x.shape, 'bool');
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  return out;
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity,
};
export const castConfig: KernelConfig = { kernelName: Cast, backendName: 'wasm', kernelFunc: cast };
