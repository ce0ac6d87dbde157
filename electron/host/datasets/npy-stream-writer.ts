import { promises as fs } from 'node:fs';
import { encodeNpyHeader, type NpyDtype } from '../../../shared/npy.js';
import { corrupt } from './errors.js';

const FLUSH_AT = 1 << 20;

/**
 * Writes a `.npy` file incrementally: the header first (the shape is known up front), then the
 * elements as they arrive, so a large set is never held twice in memory.
 */
export class NpyStreamWriter {
  private readonly staging = new Uint8Array(FLUSH_AT);
  private used = 0;
  private written = 0;
  private readonly expected: number;

  private constructor(
    private readonly handle: fs.FileHandle,
    readonly file: string,
    readonly shape: readonly number[],
    private readonly itemSize: number,
    headerBytes: number,
  ) {
    this.expected = shape.reduce((a, b) => a * b, 1) * itemSize;
    this.bytes = headerBytes;
  }

  /** Bytes of the file so far (header included). */
  bytes: number;

  /** Creates the file and writes its header. */
  static async create(
    file: string,
    dtype: 'uint8' | 'int32' | 'float32',
    shape: readonly number[],
  ): Promise<NpyStreamWriter> {
    const header = encodeNpyHeader(dtype satisfies NpyDtype, shape);
    const handle = await fs.open(file, 'wx');
    try {
      await handle.write(header, 0, header.length, 0);
    } catch (e) {
      await handle.close();
      throw e;
    }
    return new NpyStreamWriter(handle, file, shape, dtype === 'uint8' ? 1 : 4, header.length);
  }

  /** Appends elements (typed array of the file's dtype). */
  async append(data: Uint8Array | Int32Array | Float32Array): Promise<void> {
    if (data.BYTES_PER_ELEMENT !== this.itemSize) throw new Error(`${this.file}: element size mismatch`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.written + this.used + bytes.length > this.expected) {
      throw corrupt(this.file, 'more elements than the declared shape (source counts disagree)');
    }
    if (this.used + bytes.length <= this.staging.length) {
      // Small appends (labels, single images) are gathered so the disk sees large writes.
      this.staging.set(bytes, this.used);
      this.used += bytes.length;
      if (this.used === this.staging.length) await this.flush();
      return;
    }
    await this.flush();
    if (bytes.length < this.staging.length) {
      this.staging.set(bytes, 0);
      this.used = bytes.length;
    } else {
      await this.writeAll(bytes);
    }
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    await this.writeAll(this.staging.subarray(0, n));
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, off, bytes.length - off, this.bytes);
      off += bytesWritten;
      this.written += bytesWritten;
      this.bytes += bytesWritten;
    }
  }

  /** Flushes, checks that exactly the declared number of elements arrived, syncs and closes. */
  async finish(): Promise<void> {
    try {
      await this.flush();
      if (this.written !== this.expected) {
        throw corrupt(
          this.file,
          `expected ${this.expected / this.itemSize} elements, got ${this.written / this.itemSize}`,
        );
      }
      await this.handle.datasync();
    } finally {
      await this.handle.close();
    }
  }

  /** Closes without checks (on failure; the staging folder is removed anyway). */
  async abort(): Promise<void> {
    this.used = 0;
    await this.handle.close().catch(() => undefined);
  }
}
