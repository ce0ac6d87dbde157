import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineToHost } from '../../shared/engine-protocol.js';
import { parseExperimentSpec, type ExperimentSpecInput } from '../../shared/spec/index.js';
import { writeJsonAtomic } from '../../electron/common/atomic-file.js';

/** A temporary data folder, removed by the returned cleanup. */
export async function tempDataDir(
  prefix = 'lgg-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** Creates `runs/<id>/spec.json` from a spec input (validated) and returns the run folder. */
export async function writeRun(dataDir: string, id: string, spec: ExperimentSpecInput): Promise<string> {
  const parsed = parseExperimentSpec(spec);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const dir = path.join(dataDir, 'runs', id);
  await fs.mkdir(dir, { recursive: true });
  await writeJsonAtomic(path.join(dir, 'spec.json'), parsed.value);
  return dir;
}

/** Collects engine messages; `cancelAfter` makes cancelled() turn true after that many calls. */
export function recordingIo(cancelAfter = Number.POSITIVE_INFINITY): {
  messages: EngineToHost[];
  emit: (m: EngineToHost) => void;
  cancelled: () => boolean;
} {
  const messages: EngineToHost[] = [];
  let calls = 0;
  return {
    messages,
    emit: (m) => messages.push(m),
    cancelled: () => ++calls > cancelAfter,
  };
}

/** Parsed lines of a run's metrics.jsonl. */
export async function readMetrics(runDir: string): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
