import { ByteReader } from './byte-reader.js';
import { assertSafeMemberName } from './archive-paths.js';
import { corrupt, failure, tooLarge } from './errors.js';
import { LIMITS } from './limits.js';

/** A member of a tar archive. */
export interface TarEntry {
  /** Full member name (ustar prefix, GNU long name and pax path applied). */
  name: string;
  /** Data bytes. */
  size: number;
  /** Regular file or folder (links and devices are refused before a visitor sees them). */
  type: 'file' | 'dir';
}

const BLOCK = 512;

function text(b: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) {
    const c = b[i] as number;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function octal(b: Uint8Array, start: number, len: number, archive: string, field: string): number {
  if (((b[start] as number) & 0x80) !== 0) {
    // GNU base-256 for sizes beyond 8 GiB: beyond the lab's caps in any case.
    throw tooLarge(archive, `member ${field} in base-256 (over 8 GiB)`);
  }
  const s = text(b, start, len).trim();
  if (s.length === 0) return 0;
  if (!/^[0-7]+$/.test(s)) throw corrupt(archive, `bad tar header (${field} field "${s}")`);
  return Number.parseInt(s, 8);
}

function checkHeaderSum(h: Uint8Array, archive: string): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] as number);
  const stored = octal(h, 148, 8, archive, 'checksum');
  if (stored !== sum) throw corrupt(archive, 'bad tar header checksum (truncated or not a tar archive)');
}

/** Data of an entry as a stream of at most `size` bytes; truncation is an error. */
async function* entryChunks(reader: ByteReader, size: number, archive: string): AsyncGenerator<Uint8Array> {
  let left = size;
  while (left > 0) {
    const c = await reader.readSome(Math.min(left, 1 << 20));
    if (!c) throw corrupt(archive, 'truncated inside a member');
    left -= c.length;
    yield c;
  }
}

async function readSmall(reader: ByteReader, size: number, archive: string): Promise<string> {
  if (size > 64 * 1024) throw corrupt(archive, 'implausibly long extended header');
  const b = await reader.readExact(size);
  if (b.length < size) throw corrupt(archive, 'truncated extended header');
  await reader.skip((BLOCK - (size % BLOCK)) % BLOCK);
  return new TextDecoder().decode(b);
}

/**
 * Walks a tar stream (ustar, GNU long names, pax `path`). For each regular file or folder the visitor
 * gets a reader limited to the member's data; whatever it leaves unread is skipped. Links, devices,
 * unsafe names and bad header checksums end the walk with a typed error.
 */
export async function walkTar(
  chunks: AsyncIterable<Uint8Array>,
  archive: string,
  visit: (entry: TarEntry, data: ByteReader) => Promise<void>,
): Promise<void> {
  const reader = ByteReader.from(chunks);
  let longName: string | undefined;
  let entries = 0;
  try {
    for (;;) {
      const h = await reader.readExact(BLOCK);
      if (h.length === 0) return; // no end-of-archive blocks: tolerated, as GNU tar does
      if (h.length < BLOCK) throw corrupt(archive, 'truncated tar header');
      if (h.every((v) => v === 0)) return;
      checkHeaderSum(h, archive);
      if (++entries > LIMITS.maxArchiveEntries)
        throw tooLarge(archive, `more than ${LIMITS.maxArchiveEntries} members`);
      const size = octal(h, 124, 12, archive, 'size');
      const flag = String.fromCharCode(h[156] as number);
      const magic = text(h, 257, 6);
      const prefix = magic.startsWith('ustar') ? text(h, 345, 155) : '';
      let name = longName ?? (prefix ? `${prefix}/${text(h, 0, 100)}` : text(h, 0, 100));
      longName = undefined;
      if (flag === 'L' || flag === 'x') {
        const body = await readSmall(reader, size, archive);
        if (flag === 'L') longName = body.replace(/\0+$/, '');
        else longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body)?.[1];
        continue;
      }
      if (flag === 'g') {
        await readSmall(reader, size, archive);
        continue;
      }
      assertSafeMemberName(archive, name);
      if (flag === '1' || flag === '2' || flag === 'K') {
        const target = text(h, 157, 100);
        throw failure(
          'archive-unsafe',
          `${archive}: member "${name}" is a ${flag === '2' ? 'symbolic' : 'hard'} link${target ? ` to "${target}"` : ''}; refusing the archive`,
        );
      }
      if (flag === '3' || flag === '4' || flag === '6')
        throw failure(
          'archive-unsafe',
          `${archive}: member "${name}" is a device or FIFO; refusing the archive`,
        );
      const type =
        flag === '5' || (flag !== '0' && flag !== '\0' && flag !== '7' && name.endsWith('/'))
          ? 'dir'
          : 'file';
      if (type === 'dir') name = name.replace(/\/+$/, '');
      const limited = ByteReader.from(entryChunks(reader, size, archive));
      try {
        if (flag === '0' || flag === '\0' || flag === '7' || flag === '5')
          await visit({ name, size, type }, limited);
        // Drain what the visitor left (other members, sparse files…).
        while (await limited.readSome(1 << 20));
      } finally {
        await limited.close();
      }
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if ((await reader.skip(pad)) < pad && size > 0) throw corrupt(archive, 'truncated member padding');
    }
  } finally {
    await reader.close();
  }
}
