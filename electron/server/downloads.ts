import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { SECURITY_HEADERS, sendText } from './http-util.js';

/** True when `child` is `parent` or lies below it. */
function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Handles `GET /files?path=`: sends a file of the data folder as an attachment (run exports).
 * Symlinks are resolved first so a link inside the folder cannot reach outside it.
 */
export async function handleDownload(res: ServerResponse, url: URL, dataDir: string): Promise<void> {
  const requested = url.searchParams.get('path');
  if (!requested || requested.includes('\0') || !path.isAbsolute(requested)) {
    sendText(res, 400, 'Expected ?path=<absolute path inside the data folder>');
    return;
  }
  const root = await realpath(dataDir).catch(() => path.resolve(dataDir));
  const real = await realpath(requested).catch(() => null);
  const info = real ? await stat(real).catch(() => null) : null;
  if (!real || !info?.isFile() || !isInside(root, real)) {
    sendText(res, 404, 'No such file in the data folder');
    return;
  }
  const name = path.basename(real).replace(/[^\w.-]/g, '_');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Length': info.size,
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-store',
  });
  createReadStream(real).pipe(res);
}
