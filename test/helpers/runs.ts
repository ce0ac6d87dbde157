import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineToHost } from '../../shared/engine-protocol.js';
import { afterEach, beforeEach } from 'vitest';
import {
  parseExperimentSpec,
  type ExperimentSpec,
  type ExperimentSpecInput,
} from '../../shared/spec/index.js';
import { RunStore } from '../../electron/host/runs/run-store.js';
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

/** A validated spec (throws on an invalid one: a bug in the test). */
export function parsedSpec(input: ExperimentSpecInput): ExperimentSpec {
  const r = parseExperimentSpec(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** A fresh temporary data folder and RunStore before each test of the enclosing block. */
export function useRunStore(): { readonly dir: string; readonly store: RunStore } {
  let data: { dir: string; cleanup: () => Promise<void> } | undefined;
  let store: RunStore | undefined;
  beforeEach(async () => {
    data = await tempDataDir();
    store = new RunStore(data.dir);
  });
  afterEach(() => data?.cleanup());
  return {
    get dir() {
      if (!data) throw new Error('only inside a test');
      return data.dir;
    },
    get store() {
      if (!store) throw new Error('only inside a test');
      return store;
    },
  };
}
