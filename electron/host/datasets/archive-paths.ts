import { failure } from './errors.js';

/**
 * Refuses archive member names that could escape the extraction folder: absolute paths, drive
 * letters, UNC paths and `..` segments (with `/` or `\` as separators). The lab never extracts to
 * disk, but a source carrying such names is refused outright rather than trusted.
 */
export function assertSafeMemberName(archive: string, name: string): void {
  const bad = (why: string): never => {
    throw failure('archive-unsafe', `${archive}: member "${name}" ${why}; refusing the archive`);
  };
  if (name.length === 0) bad('has an empty name');
  if (name.includes('\0')) bad('has a NUL byte in its name');
  if (name.startsWith('/') || name.startsWith('\\')) bad('is an absolute path');
  if (/^[a-zA-Z]:/.test(name)) bad('starts with a drive letter');
  if (name.split(/[\\/]/).includes('..')) bad('contains a ".." segment');
}

/** Last path segment of a member name. */
export function memberBaseName(name: string): string {
  const parts = name.split(/[\\/]/).filter((s) => s.length > 0);
  return parts[parts.length - 1] ?? '';
}
