import { tooLarge } from './errors.js';

/**
 * Caps that keep a hostile or mistaken source from exhausting memory or disk. They are checked on
 * declared sizes before anything is allocated, and again while streaming.
 */
export const LIMITS = {
  /** Largest stored dataset (all output files), bytes. */
  maxOutputBytes: 4 * 1024 ** 3,
  /** Largest number of elements in one array (TF.js and typed arrays index with int32). */
  maxElements: 2 ** 31 - 1,
  /** Largest number of examples in one split. */
  maxExamples: 50_000_000,
  /** Largest number of classes. */
  maxClasses: 100_000,
  /** Largest array read whole into memory (labels, small archives entries), bytes. */
  maxWholeReadBytes: 512 * 1024 ** 2,
  /** Decompressed bytes allowed per compressed byte. Deflate tops out near 1032:1; real data sits below 20. */
  maxCompressionRatio: 200,
  /** Decompressed bytes always allowed whatever the ratio (tiny archives of zeros are legitimate). */
  minDecompressedAllowance: 64 * 1024 ** 2,
  /** Largest total decompressed size of one archive or compressed file, bytes. */
  maxDecompressedBytes: 6 * 1024 ** 3,
  /**
   * Largest image decoded, pixels (4096 × 4096). Decoding one takes about 10 bytes per pixel (RGBA
   * plus RGB) in each decoder worker; datasets are stored at ≤ 1024 px a side, so larger sources
   * are resized beforehand.
   */
  maxImagePixels: 4096 * 4096,
  /** Memory jpeg-js may use for one image, MiB (the pixel cap's RGBA plus its tables). */
  maxJpegMemoryMB: 256,
  /** Largest number of files in an image folder. */
  maxFiles: 5_000_000,
  /** Longest CSV line, bytes. */
  maxCsvLineBytes: 1024 ** 2,
  /** Largest number of entries read from an archive directory. */
  maxArchiveEntries: 100_000,
} as const;

/** Decompressed-size cap for a compressed input of `packedBytes`. */
export function decompressionCap(packedBytes: number): number {
  return Math.min(
    LIMITS.maxDecompressedBytes,
    Math.max(LIMITS.minDecompressedAllowance, packedBytes * LIMITS.maxCompressionRatio),
  );
}

/** Product of dimensions, refusing anything beyond maxElements before it is allocated. */
export function checkedElements(file: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw tooLarge(file, `invalid dimension ${d} in shape (${shape.join(', ')})`);
    n *= d;
    if (n > LIMITS.maxElements) {
      throw tooLarge(file, `shape (${shape.join(', ')}) exceeds the limit of ${LIMITS.maxElements} elements`);
    }
  }
  return n;
}

/** Refuses an output that would exceed {@link LIMITS.maxOutputBytes}. */
export function checkOutputBytes(file: string, bytes: number): void {
  if (bytes > LIMITS.maxOutputBytes) {
    const gib = (bytes / 1024 ** 3).toFixed(1);
    throw tooLarge(
      file,
      `the stored dataset would need ${gib} GiB, beyond the ${LIMITS.maxOutputBytes / 1024 ** 3} GiB limit`,
    );
  }
}
