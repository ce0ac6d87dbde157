import { promises as fs, createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { asLabFailure, tooLarge } from './errors.js';

const CHUNK = 1 << 20;

/** Chunks of a byte range of a file (fresh buffers, so consumers may keep them). */
export async function* fileChunks(file: string, start = 0, end?: number): AsyncGenerator<Uint8Array> {
  const handle = await fs.open(file, 'r');
  try {
    const stop = end ?? (await handle.stat()).size;
    let pos = start;
    while (pos < stop) {
      // Plain Uint8Arrays, not pooled Buffers: Buffer#slice is a view, which typed-array code does not expect.
      const buf = new Uint8Array(Math.min(CHUNK, stop - pos));
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Decompresses a stream through a zlib transform, refusing output beyond `cap` bytes as soon as it
 * is produced (a bomb is stopped after at most one zlib chunk past the cap, never inflated whole).
 */
export async function* inflateChunks(
  source: AsyncIterable<Uint8Array>,
  transform: zlib.Gunzip | zlib.InflateRaw,
  cap: number,
  label: string,
): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (e) => transform.destroy(e));
  input.pipe(transform);
  let total = 0;
  try {
    for await (const chunk of transform as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > cap) {
        throw tooLarge(
          label,
          `decompresses to more than ${(cap / 1024 ** 2).toFixed(0)} MiB (ratio or size cap); refusing`,
        );
      }
      yield chunk;
    }
  } catch (e) {
    throw asLabFailure(e, `${label}: cannot decompress`);
  } finally {
    input.unpipe(transform);
    input.destroy();
    transform.destroy();
  }
}

/** True when the file starts with the gzip magic bytes. */
export async function isGzip(file: string): Promise<boolean> {
  const head = await readHead(file, 2);
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** The first `n` bytes of a file (fewer if it is shorter). */
export async function readHead(file: string, n: number): Promise<Uint8Array> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Raw chunks of a file, gunzipped (with the caps of {@link inflateChunks}) when it is gzip. */
export async function* maybeGunzipChunks(file: string, cap: number): AsyncGenerator<Uint8Array> {
  if (await isGzip(file)) {
    yield* inflateChunks(createReadStream(file), zlib.createGunzip(), cap, path.basename(file));
  } else {
    yield* fileChunks(file);
  }
}
