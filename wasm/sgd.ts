// The SGD update of the lab's wasm module (see kernels.ts for the conventions): one SIMD pass over
// a parameter, its gradient and its momentum buffer, instead of the 5–7 element-wise TF.js ops
// (each a pass over the parameter and a new tensor) that Sgd.step issues per parameter.

/**
 * torch.optim.SGD (dampening 0) on n values: g = g0 + wd·w (when wd ≠ 0); b′ = m·b + g (when
 * `b` ≠ 0, else b′ = g); step = nesterov ? g + m·b′ : b′; w′ = w − lr·step. Every operation is
 * rounded to float32 in the order of the TF.js ops it replaces (wasm never fuses a multiply-add),
 * so the result is bit-identical to them. Writes w′ to `wOut` and b′ to `bOut` (when `b` ≠ 0).
 */
export function sgdStep(
  w: usize,
  g0: usize,
  b: usize,
  n: i32,
  wd: f32,
  m: f32,
  lr: f32,
  nesterov: i32,
  wOut: usize,
  bOut: usize,
): void {
  const vwd = f32x4.splat(wd);
  const vm = f32x4.splat(m);
  const vlr = f32x4.splat(lr);
  const decay = wd != 0;
  const withMomentum = b != 0;
  const simd = n & ~3;
  for (let i = 0; i < simd; i += 4) {
    const at = (<usize>i) << 2;
    const wi = v128.load(w + at);
    let g = v128.load(g0 + at);
    if (decay) g = f32x4.add(g, f32x4.mul(wi, vwd));
    let step = g;
    if (withMomentum) {
      const bi = f32x4.add(f32x4.mul(v128.load(b + at), vm), g);
      v128.store(bOut + at, bi);
      step = nesterov ? f32x4.add(g, f32x4.mul(bi, vm)) : bi;
    }
    v128.store(wOut + at, f32x4.sub(wi, f32x4.mul(step, vlr)));
  }
  for (let i = simd; i < n; i++) {
    const at = (<usize>i) << 2;
    const wi = load<f32>(w + at);
    let g = load<f32>(g0 + at);
    if (decay) g = g + wi * wd;
    let step = g;
    if (withMomentum) {
      const bi = load<f32>(b + at) * m + g;
      store<f32>(bOut + at, bi);
      step = nesterov ? g + bi * m : bi;
    }
    store<f32>(wOut + at, wi - step * lr);
  }
}
