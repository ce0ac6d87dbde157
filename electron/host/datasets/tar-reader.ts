import tar from 'tar-stream';
import { assertSafeMemberName } from './archive-paths.js';
import { ByteReader } from './byte-reader.js';
import { asLabFailure, corrupt, failure, tooLarge } from './errors.js';
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

/** tar-stream's messages, said as the lab says them (they name no file and no fix). */
const TAR_STREAM_ERRORS: readonly (readonly [string, string])[] = [
  ['Invalid tar header. Maybe', 'bad tar header checksum (corrupted, truncated or not a tar archive)'],
  ['Invalid tar header: unknown format', 'not a ustar, GNU or pax tar archive'],
  ['Unexpected end of data', 'truncated inside a member'],
  ['Header exceeds max size', 'implausibly long extended header'],
  ['Invalid header', 'bad tar header (member size)'],
];

/** Writes the source's chunks into the extractor, waiting when it is full; an error destroys it and is returned. */
async function feed(chunks: AsyncIterable<Uint8Array>, extract: tar.Extract): Promise<unknown> {
  const room = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        extract.off('drain', done);
        extract.off('close', done);
        resolve();
      };
      extract.on('drain', done);
      extract.on('close', done);
    });
  try {
    for await (const c of chunks) {
      if (extract.destroyed) return;
      if (!extract.write(c)) await room();
    }
    extract.end();
    return undefined;
  } catch (e) {
    extract.destroy(e as Error);
    return e;
  }
}

/**
 * Walks a tar stream with tar-stream (ustar, GNU long names, pax). For each regular file or folder
 * the visitor gets a reader limited to the member's data; whatever it leaves unread is skipped.
 * Links, devices, unsafe names, more than {@link LIMITS.maxArchiveEntries} members and bad headers
 * end the walk with a typed error. The whole source is read to its end, after the tar's own end
 * blocks too: a compressed archive is only accepted once its decompressor has checked the trailer
 * (a `.tar.gz` cut short of its gzip CRC and size is refused).
 */
export async function walkTar(
  chunks: AsyncIterable<Uint8Array>,
  archive: string,
  visit: (entry: TarEntry, data: ByteReader) => Promise<void>,
): Promise<void> {
  const extract = tar.extract();
  const feeding = feed(chunks, extract);
  let entries = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (++entries > LIMITS.maxArchiveEntries)
        throw tooLarge(archive, `more than ${LIMITS.maxArchiveEntries} members`);
      assertSafeMemberName(archive, h.name);
      if (h.type === 'symlink' || h.type === 'link')
        throw failure(
          'archive-unsafe',
          `${archive}: member "${h.name}" is a ${h.type === 'symlink' ? 'symbolic' : 'hard'} link${h.linkname ? ` to "${h.linkname}"` : ''}; refusing the archive`,
        );
      if (h.type !== 'file' && h.type !== 'contiguous-file' && h.type !== 'directory')
        throw failure(
          'archive-unsafe',
          `${archive}: member "${h.name}" is a ${h.type ?? 'special file'}; refusing the archive`,
        );
      const dir = h.type === 'directory';
      const data = ByteReader.from(entry);
      await visit(
        { name: dir ? h.name.replace(/\/+$/, '') : h.name, size: h.size ?? 0, type: dir ? 'dir' : 'file' },
        data,
      );
      // Drain what the visitor left, through the same iterator (the extractor waits for it).
      while (await data.readSome(1 << 20));
    }
    const fed = await feeding;
    if (fed !== undefined) throw asLabFailure(fed, archive);
  } catch (e) {
    extract.destroy();
    // The source's own failure (a decompression cap, a truncated gzip) explains more than the
    // extractor's echo of it.
    const fed = await feeding;
    const cause = fed ?? e;
    const known =
      cause instanceof Error ? TAR_STREAM_ERRORS.find(([m]) => cause.message.startsWith(m)) : undefined;
    throw known ? corrupt(archive, known[1]) : asLabFailure(cause, archive);
  }
}
