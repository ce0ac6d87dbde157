import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS, sendText } from './http-util.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/** Resolves a URL path inside `root`, or null if it escapes it. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  const rel = path.relative(root, full);
  return rel.startsWith('..') || path.isAbsolute(rel) ? null : full;
}

/** Streams a file of the built renderer; 404 when absent. */
export async function serveStatic(res: ServerResponse, root: string, urlPath: string): Promise<void> {
  const file = resolveInside(root, urlPath === '/' ? '/index.html' : urlPath);
  const info = file ? await stat(file).catch(() => null) : null;
  if (!file || !info?.isFile()) {
    sendText(res, 404, 'Not found');
    return;
  }
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const isPage = type.startsWith('text/html');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': info.size,
    // Hashed asset names never change; the page itself must be re-read after an update.
    'Cache-Control': isPage ? 'no-store' : 'public, max-age=31536000, immutable',
    ...(isPage ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } : {}),
  });
  createReadStream(file).pipe(res);
}
