import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { GraphData } from '../../../shared/contract.js';
import { parseNpyHeader } from '../../../shared/npy.js';
import { LabFailure } from '../../../shared/result.js';
import type {
  EpochRecord,
  MetricsRecord,
  ProbeSnapshot,
  RunReport,
  RunStatus,
  RunSummary,
} from '../../../shared/run-types.js';
import { defaultRunName, parseExperimentSpec } from '../../../shared/spec/index.js';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import { readJsonIfExists, writeJsonAtomic } from '../../common/atomic-file.js';
import { labPaths } from '../paths.js';
import { isValidRunId, newRunId } from './run-id.js';

/** True when a process with this pid exists. */
function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function modelLabel(spec: ExperimentSpec): string {
  const m = spec.model;
  switch (m.arch) {
    case 'wrn':
      return `WRN-${m.depth}-${m.width}`;
    case 'mlp':
      return `MLP ${m.hidden.join('-')}`;
    case 'ref-cnn':
      return m.width === 1 ? 'CNN' : `CNN×${m.width}`;
    case 'preact-resnet18':
      return m.width === 1 ? 'PreActResNet18' : `PreActResNet18×${m.width}`;
  }
}

/**
 * The run store: `runs/<id>/` with spec.json, status.json (atomic), metrics.jsonl (append-only,
 * written by the engine), probes/, checkpoints/ and report.json. A run folder copied from another
 * machine is a valid run.
 */
export class RunStore {
  readonly root: string;
  /** Runs whose engine belongs to this host (others found "running" with a dead pid are interrupted). */
  private readonly owned = new Set<string>();

  /**
   * `judgeOrphans: false` reads statuses as they are: a process on another machine (a Slurm task on
   * a compute node) cannot tell whether a pid in status.json is alive, so it must not rewrite them.
   */
  constructor(
    dataDir: string,
    private readonly o: { judgeOrphans?: boolean } = {},
  ) {
    this.root = labPaths(dataDir).runs;
  }

  /** Folder of a run (the id is validated: no path tricks). */
  dir(id: string): string {
    if (!isValidRunId(id)) throw new LabFailure('invalid-request', `"${id}" is not a run id`);
    return path.join(this.root, id);
  }

  /** Creates a queued run from a validated spec. */
  async create(spec: ExperimentSpec): Promise<RunStatus> {
    await fs.mkdir(this.root, { recursive: true });
    const id = newRunId(spec);
    const dir = this.dir(id);
    await fs.mkdir(dir);
    const named = spec.name ? spec : { ...spec, name: defaultRunName(spec) };
    await writeJsonAtomic(path.join(dir, 'spec.json'), named);
    const now = new Date().toISOString();
    const status: RunStatus = {
      id,
      state: 'queued',
      createdAt: now,
      updatedAt: now,
      epoch: 0,
      totalEpochs: spec.training.epochs,
    };
    await writeJsonAtomic(path.join(dir, 'status.json'), status);
    return status;
  }

  /** Marks a run as driven by this host (so a live pid check is not needed). */
  own(id: string, owned: boolean): void {
    if (owned) this.owned.add(id);
    else this.owned.delete(id);
  }

  /** The validated spec of a run. */
  async spec(id: string): Promise<ExperimentSpec> {
    const raw = await readJsonIfExists<unknown>(path.join(this.dir(id), 'spec.json'));
    if (raw === undefined) throw new LabFailure('not-found', `no run "${id}"`);
    const r = parseExperimentSpec(raw);
    if (!r.ok) throw new LabFailure('run-corrupt', `run ${id}: ${r.error.message}`);
    return r.value;
  }

  /**
   * The status of a run. A run left `running` or `queued` by a host that is gone (crash, kill) is
   * reported — and rewritten — as `interrupted`: it can be resumed from its last checkpoint.
   */
  async status(id: string): Promise<RunStatus> {
    const file = path.join(this.dir(id), 'status.json');
    const s = await readJsonIfExists<RunStatus>(file);
    if (!s) throw new LabFailure('not-found', `no run "${id}"`);
    if (!this.orphaned(id, s)) return s;
    // Rewritten in turn with the run's patches, from a fresh read: a patch that was on its way
    // (a Stop of a queued run) must not be overwritten by what was read before it.
    return this.locked(id, async () => {
      const now = await readJsonIfExists<RunStatus>(file);
      if (!now) throw new LabFailure('not-found', `no run "${id}"`);
      if (!this.orphaned(id, now)) return now;
      const fixed: RunStatus = {
        ...now,
        state: 'interrupted',
        updatedAt: new Date().toISOString(),
        error: {
          code: 'interrupted',
          message: 'the lab stopped while this run was active; resume it to continue',
        },
      };
      delete fixed.pid;
      await writeJsonAtomic(file, fixed);
      return fixed;
    });
  }

  /**
   * True for a run left `running` or `queued` by a host that is gone. Runs of another executor (a
   * Slurm task on a compute node) are not this host's to judge: their executor says what became of them.
   */
  private orphaned(id: string, s: RunStatus): boolean {
    return (
      this.o.judgeOrphans !== false &&
      (s.state === 'running' || s.state === 'queued') &&
      s.executor === undefined &&
      !this.owned.has(id) &&
      !(s.state === 'running' && alive(s.pid))
    );
  }

  private readonly statusLocks = new Map<string, Promise<unknown>>();

  /** Runs `fn` after the status writes of the run queued before it (status.json has one writer at a time). */
  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.statusLocks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.statusLocks.set(id, next);
    void next
      .finally(() => {
        if (this.statusLocks.get(id) === next) this.statusLocks.delete(id);
      })
      .catch(() => undefined);
    return next;
  }

  /** Applies a patch to status.json atomically and returns the new status (patches of a run apply in order). */
  updateStatus(id: string, patch: Partial<RunStatus>): Promise<RunStatus> {
    return this.locked(id, () => this.patchStatus(id, patch));
  }

  private async patchStatus(id: string, patch: Partial<RunStatus>): Promise<RunStatus> {
    const file = path.join(this.dir(id), 'status.json');
    const s = await readJsonIfExists<RunStatus>(file);
    if (!s) throw new LabFailure('not-found', `no run "${id}"`);
    const next: RunStatus = { ...s, ...patch, updatedAt: new Date().toISOString() };
    for (const k of Object.keys(patch) as (keyof RunStatus)[]) if (patch[k] === undefined) delete next[k];
    await writeJsonAtomic(file, next);
    return next;
  }

  /** Ids of every run folder, newest first. */
  async ids(): Promise<string[]> {
    try {
      const names = await fs.readdir(this.root, { withFileTypes: true });
      return names
        .filter((d) => d.isDirectory() && isValidRunId(d.name))
        .map((d) => d.name)
        .sort()
        .reverse();
    } catch {
      return [];
    }
  }

  /** Table rows of every readable run (unreadable folders are skipped). */
  async list(): Promise<RunSummary[]> {
    const rows = await Promise.all((await this.ids()).map((id) => this.summary(id).catch(() => undefined)));
    return rows.filter((r): r is RunSummary => r !== undefined);
  }

  /** The table row of one run. */
  async summary(id: string): Promise<RunSummary> {
    const [spec, status, epochs] = await Promise.all([this.spec(id), this.status(id), this.epochRecords(id)]);
    const last = epochs[epochs.length - 1];
    return {
      id,
      name: spec.name ?? defaultRunName(spec),
      kind: spec.kind,
      method: spec.method,
      dataset: spec.dataset,
      model: modelLabel(spec),
      seed: spec.training.seed,
      ...(spec.study ? { study: spec.study } : {}),
      status,
      ...(last
        ? { lastTestAcc: last.test.acc, bestTestAcc: Math.max(...epochs.map((e) => e.test.acc)) }
        : {}),
      seconds: epochs.reduce((s, e) => s + e.seconds, 0),
    };
  }

  /** Records of metrics.jsonl from line `from` on (a torn last line is skipped). */
  async metrics(id: string, from = 0): Promise<{ records: MetricsRecord[]; next: number }> {
    let text = '';
    try {
      text = await fs.readFile(path.join(this.dir(id), 'metrics.jsonl'), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const lines = text.split('\n');
    // The last element is '' after a final newline, or a line still being written: never read.
    const complete = lines.length - 1;
    const records: MetricsRecord[] = [];
    for (let i = from; i < complete; i++) {
      try {
        records.push(JSON.parse(lines[i] ?? '') as MetricsRecord);
      } catch {
        // A line being written right now; it is read next time.
      }
    }
    return { records, next: Math.max(from, complete) };
  }

  /** Epoch records only. */
  async epochRecords(id: string): Promise<EpochRecord[]> {
    return (await this.metrics(id)).records.filter((r): r is EpochRecord => r.type === 'epoch');
  }

  /** Epochs with a probe snapshot. */
  async probeEpochs(id: string): Promise<number[]> {
    try {
      const names = await fs.readdir(path.join(this.dir(id), 'probes'));
      return names
        .map((n) => /^e(\d{4})$/.exec(n)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  /** The snapshot of an epoch. */
  async probe(id: string, epoch: number): Promise<ProbeSnapshot> {
    const file = path.join(this.dir(id), 'probes', `e${String(epoch).padStart(4, '0')}`, 'index.json');
    const s = await readJsonIfExists<ProbeSnapshot>(file);
    if (!s) throw new LabFailure('not-found', `run ${id} has no probe snapshot at epoch ${epoch}`);
    return s;
  }

  /** A graph file of a snapshot (a path inside the run's probes/ folder), decoded. */
  async graph(id: string, file: string): Promise<GraphData> {
    const dir = this.dir(id);
    const full = path.resolve(dir, file);
    if (!full.startsWith(path.join(dir, 'probes') + path.sep) || !full.endsWith('.npy')) {
      throw new LabFailure('invalid-request', `"${file}" is not a probe graph of run ${id}`);
    }
    const bytes = new Uint8Array(
      await fs.readFile(full).catch(() => {
        throw new LabFailure('not-found', `run ${id} has no graph ${file}`);
      }),
    );
    const h = parseNpyHeader(bytes);
    if (h.dtype !== 'float32' || h.shape.length !== 2 || h.shape[0] !== h.shape[1]) {
      throw new LabFailure('run-corrupt', `${file}: expected a square float32 graph`);
    }
    const values = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + h.dataOffset, bytes.byteOffset + h.dataOffset + h.size * 4),
    );
    return { size: h.shape[0] ?? 0, values: Array.from(values) };
  }

  /** report.json, once the run finished. */
  async report(id: string): Promise<RunReport | undefined> {
    return readJsonIfExists<RunReport>(path.join(this.dir(id), 'report.json'));
  }

  /** Deletes a run folder. */
  async remove(id: string): Promise<boolean> {
    const dir = this.dir(id);
    const existed = await fs.stat(dir).then(
      () => true,
      () => false,
    );
    await fs.rm(dir, { recursive: true, force: true });
    return existed;
  }
}
