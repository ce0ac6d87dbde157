import { randomBytes } from 'node:crypto';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';

/** A sortable, readable, unique run id: `20261127-014655-distill-gkd-3f2a`. */
export function newRunId(spec: ExperimentSpec, now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const method = spec.method.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  return `${stamp}-${spec.kind}-${method}-${randomBytes(2).toString('hex')}`;
}

/** Run ids are folder names: no separators, no dot-dot, no surprises. */
export function isValidRunId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(id) && !id.includes('..');
}
