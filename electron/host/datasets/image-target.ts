import { decodeImage } from './image-decode.js';
import { resizeImage, rgbToGrey } from './image-resize.js';

/** What every image of an image-folder import becomes. */
export interface DecodeTarget {
  /** Stored height. */
  height: number;
  /** Stored width. */
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** Resampling: `auto` is area when shrinking, bilinear otherwise. */
  method: 'bilinear' | 'area' | 'auto';
}

/** Decodes an image file's bytes and brings it to the target size and colour (height × width × channels bytes). */
export function decodeToTarget(bytes: Uint8Array, file: string, t: DecodeTarget): Uint8Array {
  const img = decodeImage(bytes, file);
  // Colour first, so grey targets resample a third of the data.
  const px = t.channels === 1 ? rgbToGrey(img.data) : img.data;
  const method =
    t.method === 'auto' ? (t.width <= img.width && t.height <= img.height ? 'area' : 'bilinear') : t.method;
  const out = resizeImage(px, img.width, img.height, t.channels, t.width, t.height, method);
  return out;
}
