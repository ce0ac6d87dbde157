import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tooLarge } from './errors.js';

/** Largest image file read, bytes (a 50 MP PNG is well under this). */
const MAX_IMAGE_FILE = 256 * 1024 ** 2;

/** Reads an image file whole, refusing absurd sizes before allocating. */
export async function readImageFile(file: string): Promise<Uint8Array> {
  const { size } = await fs.stat(file);
  if (size > MAX_IMAGE_FILE)
    throw tooLarge(
      path.basename(file),
      `${size} bytes; image files above ${MAX_IMAGE_FILE} bytes are refused`,
    );
  return new Uint8Array(await fs.readFile(file));
}
