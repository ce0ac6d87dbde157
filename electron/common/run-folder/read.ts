import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { MetricsRecordSchema } from '../../../shared/run-files.js';
import type { MetricsRecord, RunDamage } from '../../../shared/run-types.js';
import { formatIssues, specIssues } from '../../../shared/spec/index.js';
import { confinedPath } from './confine.js';
import { RunFolderDamage } from './damage.js';

/** Largest JSON file of a run folder read whole (report.json with every table is well under). */
const MAX_JSON_BYTES = 64 * 1024 ** 2;

/** The zod issues of a failed parse as one line: `state: Invalid option…; epoch: Too small…`. */
export function describeIssues(error: z.ZodError): string {
  return formatIssues(specIssues(error)).split('\n').join('; ');
}

/**
 * Reads and validates a JSON file of a run folder. `rel` is relative to `root` (the run folder, or
 * a checkpoint folder with `label` naming it). Undefined when the file does not exist; every other
 * problem (unreadable, too large, not JSON, not the schema) is a {@link RunFolderDamage} naming it.
 */
export async function readRunJson<S extends z.ZodType>(
  root: string,
  rel: string,
  schema: S,
  label = rel,
): Promise<z.output<S> | undefined> {
  const file = await confinedPath(root, rel, label);
  let text: string;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new RunFolderDamage(label, 'is not a file');
    if (st.size > MAX_JSON_BYTES) throw new RunFolderDamage(label, `${st.size} bytes, more than expected`);
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof RunFolderDamage) throw e;
    throw new RunFolderDamage(label, `cannot be read (${(e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new RunFolderDamage(
      label,
      text.trim() === '' ? 'is empty' : `is not JSON (${(e as Error).message})`,
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new RunFolderDamage(label, describeIssues(parsed.error));
  return parsed.data;
}

/** {@link readRunJson} of a file that must exist. */
export async function requireRunJson<S extends z.ZodType>(
  root: string,
  rel: string,
  schema: S,
  label = rel,
): Promise<z.output<S>> {
  const v = await readRunJson(root, rel, schema, label);
  if (v === undefined) throw new RunFolderDamage(label, 'is missing');
  return v;
}

/** The records of a metrics.jsonl text from line `from` (0-based), and the lines that are damaged. */
export interface MetricsLines {
  /** Valid records, in order. */
  records: MetricsRecord[];
  /** Index of the first line not read yet (a line still being written is never read). */
  next: number;
  /** Complete lines that are not a valid record (`metrics.jsonl:<line number>`). */
  damaged: RunDamage[];
}

/**
 * Parses metrics.jsonl. The last element after splitting is '' after a final newline, or a line the
 * engine is appending right now: it is left for the next read. A complete line that is not JSON or
 * not a record is damage, reported with its 1-based line number, and skipped.
 */
export function parseMetricsLines(text: string, from = 0): MetricsLines {
  const lines = text.split('\n');
  const complete = lines.length - 1;
  const records: MetricsRecord[] = [];
  const damaged: RunDamage[] = [];
  for (let i = from; i < complete; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const file = `metrics.jsonl:${i + 1}`;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      damaged.push({ file, reason: 'not JSON' });
      continue;
    }
    const r = MetricsRecordSchema.safeParse(raw);
    if (r.success) records.push(r.data);
    else damaged.push({ file, reason: describeIssues(r.error) });
  }
  return { records, next: Math.max(from, complete), damaged };
}

/** Reads metrics.jsonl of a run folder (absent = no records yet). */
export async function readMetricsFile(runDir: string, from = 0): Promise<MetricsLines> {
  let text = '';
  try {
    text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new RunFolderDamage('metrics.jsonl', `cannot be read (${(e as Error).message})`);
  }
  return parseMetricsLines(text, from);
}
