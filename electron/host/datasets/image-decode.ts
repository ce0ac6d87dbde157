import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { corrupt, failure, tooLarge } from './errors.js';
import { LIMITS } from './limits.js';

/** Header facts of an image file, read without decoding it. */
export interface ImageInfo {
  /** `png` or `jpeg`. */
  kind: 'png' | 'jpeg';
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** True for greyscale sources (PNG colour types 0/4, one-component JPEG). */
  grey: boolean;
}

/** A decoded image, always 3 interleaved channels. */
export interface RgbImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** width × height × 3 bytes, row-major RGB. */
  data: Uint8Array;
}

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads dimensions and colour type from the first bytes of a PNG or JPEG (undefined if neither). */
export function sniffImage(b: Uint8Array): ImageInfo | undefined {
  if (b.length >= 26 && PNG_SIG.every((v, i) => b[i] === v)) {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const colorType = b[25] as number;
    return {
      kind: 'png',
      width: dv.getUint32(16),
      height: dv.getUint32(20),
      grey: colorType === 0 || colorType === 4,
    };
  }
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1] as number;
    if (m === 0xff || m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      i += m === 0xff ? 1 : 2;
      continue;
    }
    const len = ((b[i + 2] as number) << 8) | (b[i + 3] as number);
    const isSof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (isSof && i + 10 <= b.length) {
      const height = ((b[i + 5] as number) << 8) | (b[i + 6] as number);
      const width = ((b[i + 7] as number) << 8) | (b[i + 8] as number);
      return { kind: 'jpeg', width, height, grey: b[i + 9] === 1 };
    }
    if (m === 0xd9 || m === 0xda || len < 2) break;
    i += 2 + len;
  }
  return { kind: 'jpeg', width: 0, height: 0, grey: false };
}

function checkResolution(file: string, width: number, height: number): void {
  if (width === 0 || height === 0) throw corrupt(file, 'image has no pixels');
  if (width * height > LIMITS.maxImageMegapixels * 1e6) {
    throw tooLarge(file, `${width}×${height} image exceeds ${LIMITS.maxImageMegapixels} megapixels`);
  }
}

/** Decodes a PNG (pngjs) or JPEG (jpeg-js) to RGB; alpha is dropped. Every failure names the file. */
export function decodeImage(bytes: Uint8Array, file: string): RgbImage {
  const info = sniffImage(bytes);
  if (!info) throw failure('unsupported-format', `${file}: not a PNG or JPEG image`);
  if (info.kind === 'png') checkResolution(file, info.width, info.height);
  try {
    if (info.kind === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const n = png.width * png.height;
      const rgb = new Uint8Array(n * 3);
      const src = png.data;
      for (let p = 0; p < n; p++) {
        rgb[p * 3] = src[p * 4] as number;
        rgb[p * 3 + 1] = src[p * 4 + 1] as number;
        rgb[p * 3 + 2] = src[p * 4 + 2] as number;
      }
      return { width: png.width, height: png.height, data: rgb };
    }
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: LIMITS.maxImageMegapixels,
      maxMemoryUsageInMB: LIMITS.maxJpegMemoryMB,
    });
    checkResolution(file, img.width, img.height);
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/maxResolutionInMP|maxMemoryUsageInMB|allocate/.test(message))
      throw tooLarge(file, `cannot decode: ${message}`);
    if (e instanceof Error && e.name === 'LabFailure') throw e;
    throw corrupt(file, `cannot decode ${info.kind.toUpperCase()}: ${message}`);
  }
}
