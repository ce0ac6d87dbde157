import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { GraphData } from '../../../shared/contract.js';
import { parseNpyHeader } from '../../../shared/npy.js';
import { LabFailure } from '../../../shared/result.js';
import {
  LatestPointerSchema,
  ProbeSnapshotSchema,
  RunReportSchema,
  RunStatusSchema,
} from '../../../shared/run-files.js';
import type {
  EpochRecord,
  MetricsRecord,
  ProbeSnapshot,
  RunDamage,
  RunReport,
  RunStatus,
  RunSummary,
} from '../../../shared/run-types.js';
import {
  defaultRunName,
  ExperimentSpecFileSchema,
  modelLabel,
  modelSpecOf,
} from '../../../shared/spec/index.js';
import type { ExperimentSpec } from '../../../shared/spec/experiments.js';
import { writeJsonAtomic } from '../../common/atomic-file.js';
import {
  confinedPath,
  damageOf,
  listCheckpoints,
  readMetricsFile,
  readRunJson,
  RunFolderDamage,
  type CheckpointEntry,
} from '../../common/run-folder/index.js';
import { labPaths } from '../paths.js';
import { abandoned, thisHolder } from './run-holder.js';
import { isValidRunId, newRunId } from './run-id.js';

/**
 * The run store: `runs/<id>/` with spec.json, status.json (atomic), metrics.jsonl (append-only,
 * written by the engine), probes/, checkpoints/ and report.json. A run folder copied from another
 * machine is a valid run, and untrusted input: every file is read through the validating layer of
 * common/run-folder, and a run with a damaged file is listed with the file and the reason.
 */
export class RunStore {
  readonly root: string;

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

  /**
   * Creates a queued run from a validated spec. The folder is written under a hidden name and
   * renamed into place, so a listing never sees a run without its spec or status.
   */
  async create(spec: ExperimentSpec): Promise<RunStatus> {
    await fs.mkdir(this.root, { recursive: true });
    const id = newRunId(spec);
    const dir = this.dir(id);
    const staging = path.join(this.root, `.new-${id}-${randomBytes(3).toString('hex')}`);
    await fs.mkdir(staging);
    try {
      const named = spec.name ? spec : { ...spec, name: defaultRunName(spec) };
      await writeJsonAtomic(path.join(staging, 'spec.json'), named);
      const now = new Date().toISOString();
      const status: RunStatus = {
        id,
        state: 'queued',
        createdAt: now,
        updatedAt: now,
        epoch: 0,
        totalEpochs: spec.training.epochs,
        // Held by this process until its queue takes the run or a submission hands it to Slurm:
        // another lab process listing the data folder meanwhile must not call it interrupted.
        holder: thisHolder(),
      };
      await writeJsonAtomic(path.join(staging, 'status.json'), status);
      await fs.rename(staging, dir);
      return status;
    } catch (e) {
      await fs.rm(staging, { recursive: true, force: true });
      throw e;
    }
  }

  /** Reads a required JSON file of a run: `not-found` without the run folder, damage without the file. */
  private async required<T>(
    id: string,
    file: string,
    read: (dir: string) => Promise<T | undefined>,
  ): Promise<T> {
    const dir = this.dir(id);
    const v = await read(dir);
    if (v !== undefined) return v;
    const exists = await fs.stat(dir).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (!exists) throw new LabFailure('not-found', `no run "${id}"`);
    throw new RunFolderDamage(file, 'is missing', `run ${id}: `);
  }

  /** A validated JSON file of a run; its damage names the run. */
  private async json<T>(
    id: string,
    file: string,
    read: (dir: string) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    try {
      return await read(this.dir(id));
    } catch (e) {
      const d = damageOf(e);
      if (d) throw new RunFolderDamage(d.file, d.reason, `run ${id}: `);
      throw e;
    }
  }

  /** The validated spec of a run. */
  spec(id: string): Promise<ExperimentSpec> {
    return this.required(id, 'spec.json', () =>
      this.json(id, 'spec.json', (dir) => readRunJson(dir, 'spec.json', ExperimentSpecFileSchema)),
    );
  }

  /** status.json as stored, validated. */
  private readStatus(id: string): Promise<RunStatus> {
    return this.required(id, 'status.json', () =>
      this.json(id, 'status.json', async (dir) => {
        const s = await readRunJson(dir, 'status.json', RunStatusSchema);
        if (s && s.id !== id)
          throw new RunFolderDamage('status.json', `belongs to run "${s.id}", not to this folder`);
        // Slurm's view of a task is asked from Slurm, never taken from a file.
        if (s) delete s.slurm;
        return s;
      }),
    );
  }

  /**
   * The status of a run. A run left `running` or `queued` by a lab process that is gone (crash,
   * kill) is reported — and rewritten — as `interrupted`: it can be resumed from its last
   * checkpoint. Runs another live process holds are left as they are (see {@link abandoned}).
   */
  async status(id: string): Promise<RunStatus> {
    const file = path.join(this.dir(id), 'status.json');
    const s = await this.readStatus(id);
    if (!this.orphaned(s)) return s;
    // Rewritten in turn with the run's patches, from a fresh read: a patch that was on its way
    // (a Stop of a queued run) must not be overwritten by what was read before it.
    return this.locked(id, async () => {
      const now = await this.readStatus(id);
      if (!this.orphaned(now)) return now;
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
      delete fixed.holder;
      await writeJsonAtomic(file, fixed);
      return fixed;
    });
  }

  /** True when this process may rewrite the run as interrupted (see {@link abandoned}). */
  private orphaned(s: RunStatus): boolean {
    return this.o.judgeOrphans !== false && abandoned(s);
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
    const s = await this.readStatus(id);
    const next: RunStatus = { ...s, ...patch, updatedAt: new Date().toISOString() };
    for (const k of Object.keys(patch) as (keyof RunStatus)[]) if (patch[k] === undefined) delete next[k];
    delete next.slurm;
    // A holder means something only while the run waits or runs in that process's queue.
    if (next.state !== 'queued' && next.state !== 'running') delete next.holder;
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

  /** Table rows of every run folder; a damaged one is listed with its damage, never skipped. */
  async list(): Promise<RunSummary[]> {
    const rows = await Promise.all(
      (await this.ids()).map((id) =>
        this.summary(id).catch((e: unknown) => {
          // Deleted between the folder listing and its reading: gone, not damaged.
          if (e instanceof LabFailure && e.code === 'not-found') return undefined;
          throw e;
        }),
      ),
    );
    return rows.filter((r): r is RunSummary => r !== undefined);
  }

  /**
   * The table row of one run, with every damaged file found on the way (spec, status, report,
   * metrics lines, latest.json). A run whose spec or status cannot be read is still a row: state
   * `damaged`, named by its id.
   */
  async summary(id: string): Promise<RunSummary> {
    const damaged: RunDamage[] = [];
    const keep = async <T>(p: Promise<T>): Promise<T | undefined> => {
      try {
        return await p;
      } catch (e) {
        const d = damageOf(e);
        if (!d) throw e;
        damaged.push(d);
        return undefined;
      }
    };
    const dir = this.dir(id);
    const spec = await keep(this.spec(id));
    const status = await keep(this.status(id));
    await keep(this.report(id));
    await keep(
      readRunJson(dir, 'checkpoints/latest.json', LatestPointerSchema).then(async (l) => {
        if (l && !(await fs.stat(path.join(dir, 'checkpoints', l.dir)).catch(() => undefined)))
          throw new RunFolderDamage('checkpoints/latest.json', `names ${l.dir}, which does not exist`);
      }),
    );
    const metrics = await keep(readMetricsFile(dir));
    damaged.push(...(metrics?.damaged ?? []));
    const epochs = (metrics?.records ?? []).filter((r): r is EpochRecord => r.type === 'epoch');
    const last = epochs[epochs.length - 1];
    const now = new Date().toISOString();
    return {
      id,
      name: spec ? (spec.name ?? defaultRunName(spec)) : id,
      kind: spec?.kind ?? 'unknown',
      method: spec?.method ?? '—',
      dataset: spec?.dataset ?? '—',
      model: spec ? modelLabel(modelSpecOf(spec)) : '—',
      seed: spec?.training.seed ?? -1,
      ...(spec?.study ? { study: spec.study } : {}),
      status: status ?? {
        id,
        state: 'damaged',
        createdAt: now,
        updatedAt: now,
        epoch: 0,
        totalEpochs: spec?.training.epochs ?? 1,
        error: { code: 'run-damaged', message: damaged.map((d) => `${d.file}: ${d.reason}`).join('; ') },
      },
      ...(last
        ? { lastTestAcc: last.test.acc, bestTestAcc: Math.max(...epochs.map((e) => e.test.acc)) }
        : {}),
      seconds: epochs.reduce((s, e) => s + e.seconds, 0),
      ...(damaged.length > 0 ? { damaged } : {}),
    };
  }

  /**
   * Records of metrics.jsonl from line `from` on. A line still being written is read next time; a
   * damaged line is skipped here (the run's summary lists it).
   */
  async metrics(id: string, from = 0): Promise<{ records: MetricsRecord[]; next: number }> {
    const m = await this.json(id, 'metrics.jsonl', (dir) => readMetricsFile(dir, from));
    return { records: m?.records ?? [], next: m?.next ?? from };
  }

  /** Epoch records only. */
  async epochRecords(id: string): Promise<EpochRecord[]> {
    return (await this.metrics(id)).records.filter((r): r is EpochRecord => r.type === 'epoch');
  }

  /** The checkpoint folders of a run, newest first, each checked byte for byte against its checksums. */
  checkpoints(id: string): Promise<CheckpointEntry[]> {
    return listCheckpoints(this.dir(id), 'checksum');
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
    const file = `probes/e${String(epoch).padStart(4, '0')}/index.json`;
    const s = await this.json(id, file, (dir) => readRunJson(dir, file, ProbeSnapshotSchema));
    if (!s) throw new LabFailure('not-found', `run ${id} has no probe snapshot at epoch ${epoch}`);
    return s;
  }

  /** A graph file of a snapshot (a path inside the run's probes/ folder), decoded. */
  async graph(id: string, file: string): Promise<GraphData> {
    const probes = path.join(this.dir(id), 'probes');
    // Confined through links too: a probes/ folder (or graph) linked elsewhere is not served.
    const full = await confinedPath(probes, path.relative('probes', file), file).catch(() => '');
    if (!full.startsWith(probes + path.sep) || !full.endsWith('.npy')) {
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
    return await this.json(id, 'report.json', (dir) => readRunJson(dir, 'report.json', RunReportSchema));
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
