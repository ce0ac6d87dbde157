/**
 * Pull-style reading of exact byte counts from a stream of chunks of any size: the parsers ask for
 * "the next 16 header bytes" or "the next 300 records" without caring where chunk borders fall.
 */
export class ByteReader {
  private readonly chunks: Uint8Array[] = [];
  private offset = 0;
  private buffered = 0;
  private ended = false;
  /** Bytes consumed so far. */
  position = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** A reader over any async iterable of chunks. */
  static from(chunks: AsyncIterable<Uint8Array>): ByteReader {
    return new ByteReader(chunks[Symbol.asyncIterator]());
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const r = await this.source.next();
      if (r.done) {
        this.ended = true;
      } else if (r.value.length > 0) {
        this.chunks.push(r.value);
        this.buffered += r.value.length;
      }
    }
  }

  /** The next `n` bytes; fewer only when the stream ends first (callers treat that as truncation). */
  async readExact(n: number): Promise<Uint8Array> {
    await this.fill(n);
    const take = Math.min(n, this.buffered);
    const first = this.chunks[0];
    if (first && first.length - this.offset >= take) {
      const out = first.subarray(this.offset, this.offset + take);
      this.consume(take);
      return out;
    }
    const out = new Uint8Array(take);
    let filled = 0;
    while (filled < take) {
      const c = this.chunks[0] as Uint8Array;
      const k = Math.min(take - filled, c.length - this.offset);
      out.set(c.subarray(this.offset, this.offset + k), filled);
      filled += k;
      this.consume(k);
    }
    return out;
  }

  /** Up to `max` bytes without copying; undefined at the end of the stream. */
  async readSome(max: number): Promise<Uint8Array | undefined> {
    await this.fill(1);
    const c = this.chunks[0];
    if (!c) return undefined;
    const k = Math.min(max, c.length - this.offset);
    const out = c.subarray(this.offset, this.offset + k);
    this.consume(k);
    return out;
  }

  /** Skips up to `n` bytes; returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const c = await this.readSome(Math.min(left, 1 << 20));
      if (!c) break;
      left -= c.length;
    }
    return n - left;
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.buffered === 0;
  }

  /** Stops the underlying source early (closes files, destroys decompressors). */
  async close(): Promise<void> {
    this.chunks.length = 0;
    this.buffered = 0;
    if (!this.ended) {
      this.ended = true;
      await this.source.return?.();
    }
  }

  private consume(k: number): void {
    this.offset += k;
    this.buffered -= k;
    this.position += k;
    while (this.chunks.length > 0 && this.offset >= (this.chunks[0] as Uint8Array).length) {
      this.offset -= (this.chunks[0] as Uint8Array).length;
      this.chunks.shift();
    }
  }
}
