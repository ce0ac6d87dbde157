import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';

/** A fresh random access token (URL-safe, 192 bits). */
export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response timings. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who may talk to the server: the host names it answers to and the page origins it trusts. */
export interface AccessPolicy {
  /** Values accepted in the `Host` header (blocks DNS-rebinding pages). */
  hosts: Set<string>;
  /** Values accepted in the `Origin` header (blocks other sites' pages). */
  origins: Set<string>;
}

/** The hosts and origins of a server bound to `bind`:`port`. */
export function accessPolicy(bind: string, port: number): AccessPolicy {
  const names = new Set<string>([bind]);
  // A loopback server is reached as 127.0.0.1, localhost or [::1] whatever it was bound to.
  if (bind === '127.0.0.1' || bind === 'localhost' || bind === '::1') {
    names.add('127.0.0.1').add('localhost').add('[::1]');
  }
  // Bound to every interface (`--host 0.0.0.0`): browsers name this machine by one of its
  // addresses or its host name, never by the wildcard. A DNS-rebinding page still shows its own
  // domain in Host, so it stays refused.
  if (bind === '0.0.0.0' || bind === '::') {
    names.add('127.0.0.1').add('localhost').add('[::1]').add(os.hostname().toLowerCase());
    for (const addresses of Object.values(os.networkInterfaces())) {
      for (const a of addresses ?? []) names.add(a.address.toLowerCase());
    }
  }
  const hosts = new Set<string>();
  const origins = new Set<string>();
  for (const name of names) {
    const h = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
    hosts.add(`${h}:${port}`);
    origins.add(`http://${h}:${port}`);
  }
  return { hosts, origins };
}

/** True when the request's Host header names this server. */
export function hostAllowed(policy: AccessPolicy, req: IncomingMessage): boolean {
  const host = req.headers.host;
  return typeof host === 'string' && policy.hosts.has(host.toLowerCase());
}

/**
 * True when the request comes from the lab's own page. Browsers always send Origin on WebSocket
 * handshakes and on cross-origin or non-GET fetches, so a missing Origin is only accepted for GETs.
 */
export function originAllowed(policy: AccessPolicy, req: IncomingMessage, required: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return !required;
  return policy.origins.has(origin.toLowerCase());
}

/** The `token` query parameter of a request URL. */
export function tokenOf(url: URL): string | null {
  return url.searchParams.get('token');
}
