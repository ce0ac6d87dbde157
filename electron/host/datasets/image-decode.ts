import zlib from 'node:zlib';
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
  if (width * height > LIMITS.maxImagePixels) {
    const mp = (n: number): string => (n / 1e6).toFixed(1);
    const side = Math.sqrt(LIMITS.maxImagePixels);
    throw tooLarge(
      file,
      `${width}×${height} image (${mp(width * height)} megapixels) is beyond the limit of ${mp(LIMITS.maxImagePixels)} megapixels (${side}×${side}) per image; resize the images first`,
    );
  }
}

/** Samples per pixel of each PNG colour type (grey, RGB, palette, grey + alpha, RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: [x start, y start, x step, y step]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/**
 * Checks that a PNG's image data has exactly the size its header declares, before a decoder
 * allocates for that size: pngjs fills an image whose IDAT is too short with whatever memory held
 * (a 1000×1000 header over 1,000 bytes of data imported as a black image), or fails with a
 * misleading "filter type". The data is inflated once, capped at the declared size.
 */
function checkPngData(b: Uint8Array, file: string): void {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 33 || String.fromCharCode(...b.subarray(12, 16)) !== 'IHDR')
    throw corrupt(file, 'PNG without its IHDR header chunk');
  const width = dv.getUint32(16);
  const height = dv.getUint32(20);
  const depth = b[24] ?? 0;
  const channels = PNG_CHANNELS[b[25] ?? 99];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth))
    throw corrupt(file, `PNG header: unknown colour type ${b[25]} or bit depth ${depth}`);
  const bits = channels * depth;
  const rows = (w: number, h: number): number =>
    w === 0 || h === 0 ? 0 : h * (1 + Math.ceil((w * bits) / 8));
  const expected =
    b[28] === 1
      ? ADAM7.reduce(
          (n, [x0, y0, dx, dy]) => n + rows(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)),
          0,
        )
      : rows(width, height);
  const idat: Uint8Array[] = [];
  for (let at = 8; at + 8 <= b.length;) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(b[at + 4] ?? 0, b[at + 5] ?? 0, b[at + 6] ?? 0, b[at + 7] ?? 0);
    if (at + 12 + len > b.length) throw corrupt(file, `PNG chunk ${type} is cut short (truncated file)`);
    if (type === 'IDAT') idat.push(b.subarray(at + 8, at + 8 + len));
    if (type === 'IEND') break;
    at += 12 + len;
  }
  let inflated: number;
  try {
    inflated = zlib.inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 }).length;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') inflated = expected + 1;
    else throw corrupt(file, `PNG image data cannot be decompressed (${(e as Error).message})`);
  }
  if (inflated < expected)
    throw corrupt(
      file,
      `PNG declares ${width}×${height} but its image data holds ${inflated} of the ${expected} bytes that needs (truncated or damaged)`,
    );
  if (inflated > expected)
    throw corrupt(file, `PNG image data is larger than its declared ${width}×${height} (damaged header)`);
}

/** Decodes a PNG (pngjs) or JPEG (jpeg-js) to RGB; alpha is dropped. Every failure names the file. */
export function decodeImage(bytes: Uint8Array, file: string): RgbImage {
  const info = sniffImage(bytes);
  if (!info) throw failure('unsupported-format', `${file}: not a PNG or JPEG image`);
  // The declared size is checked against the limit and, for PNG, against the data, before any
  // decoder allocates for it.
  if (info.kind === 'png' || info.width > 0) checkResolution(file, info.width, info.height);
  if (info.kind === 'png') checkPngData(bytes, file);
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
      maxResolutionInMP: LIMITS.maxImagePixels / 1e6,
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
