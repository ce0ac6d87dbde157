/** Resampling methods of the image importer. */
export type ResizeMethod = 'bilinear' | 'area';

interface Taps {
  /** Taps per output sample. */
  taps: number;
  /** Source index of each tap, dst × taps. */
  index: Int32Array;
  /** Weight of each tap, dst × taps (rows sum to 1). */
  weight: Float32Array;
}

/**
 * 1-D resampling weights. `area` averages the source interval each output sample covers (exact box
 * filter, the right choice when shrinking); `bilinear` samples at pixel centres (half-pixel
 * convention, as TF's resize_bilinear with half_pixel_centers).
 */
function taps(src: number, dst: number, method: ResizeMethod): Taps {
  const scale = src / dst;
  if (method === 'bilinear') {
    const index = new Int32Array(dst * 2);
    const weight = new Float32Array(dst * 2);
    for (let j = 0; j < dst; j++) {
      const x = Math.min(Math.max((j + 0.5) * scale - 0.5, 0), src - 1);
      const i0 = Math.floor(x);
      const f = x - i0;
      index[j * 2] = i0;
      index[j * 2 + 1] = Math.min(i0 + 1, src - 1);
      weight[j * 2] = 1 - f;
      weight[j * 2 + 1] = f;
    }
    return { taps: 2, index, weight };
  }
  const n = Math.ceil(scale) + 1;
  const index = new Int32Array(dst * n);
  const weight = new Float32Array(dst * n);
  for (let j = 0; j < dst; j++) {
    const a = j * scale;
    const b = (j + 1) * scale;
    let t = 0;
    for (let i = Math.floor(a); i < b && i < src && t < n; i++) {
      const overlap = Math.min(b, i + 1) - Math.max(a, i);
      if (overlap <= 0) continue;
      index[j * n + t] = i;
      weight[j * n + t] = overlap / scale;
      t++;
    }
  }
  return { taps: n, index, weight };
}

/** Resizes interleaved `channels`-channel pixels from sw×sh to dw×dh (separable, float accumulation). */
export function resizeImage(
  src: Uint8Array,
  sw: number,
  sh: number,
  channels: number,
  dw: number,
  dh: number,
  method: ResizeMethod,
): Uint8Array {
  if (sw === dw && sh === dh) return src.slice();
  const tx = taps(sw, dw, method);
  const ty = taps(sh, dh, method);
  const c = channels;
  // Horizontal pass: sh rows of dw samples.
  const mid = new Float32Array(sh * dw * c);
  for (let y = 0; y < sh; y++) {
    const row = y * sw * c;
    for (let x = 0; x < dw; x++) {
      const o = (y * dw + x) * c;
      for (let t = 0; t < tx.taps; t++) {
        const w = tx.weight[x * tx.taps + t] as number;
        if (w === 0) continue;
        const s = row + (tx.index[x * tx.taps + t] as number) * c;
        for (let k = 0; k < c; k++) mid[o + k]! += w * (src[s + k] as number);
      }
    }
  }
  const out = new Uint8Array(dh * dw * c);
  const acc = new Float32Array(dw * c);
  for (let y = 0; y < dh; y++) {
    acc.fill(0);
    for (let t = 0; t < ty.taps; t++) {
      const w = ty.weight[y * ty.taps + t] as number;
      if (w === 0) continue;
      const r = (ty.index[y * ty.taps + t] as number) * dw * c;
      for (let i = 0; i < dw * c; i++) acc[i]! += w * (mid[r + i] as number);
    }
    const o = y * dw * c;
    for (let i = 0; i < dw * c; i++) {
      const v = Math.round(acc[i] as number);
      out[o + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** RGB to one luma channel (ITU-R BT.601 weights, as PIL's convert('L')). */
export function rgbToGrey(rgb: Uint8Array): Uint8Array {
  const n = rgb.length / 3;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    out[p] = Math.round(
      0.299 * (rgb[p * 3] as number) +
        0.587 * (rgb[p * 3 + 1] as number) +
        0.114 * (rgb[p * 3 + 2] as number),
    );
  }
  return out;
}
