import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { BackendInfo } from '../../shared/backend-types.js';
import {
  requestSchemas,
  type RequestChannel,
  type ResponseOf,
  type RequestOf,
} from '../../shared/contract.js';
import type { EngineJob } from '../../shared/engine-protocol.js';
import { err, LabFailure, ok, toLabError, type Result } from '../../shared/result.js';
import { DatasetStore } from './datasets/dataset-store.js';
import type { EngineLauncher } from './engine-launcher.js';
import { ChildProcessLauncher } from './launch/child-launcher.js';
import { runEngineJob, type JobOptions, type JobOutcome } from './launch/engine-job.js';
import { EventHub } from './event-hub.js';
import { LocalExecutor, SlurmExecutor } from './executors/index.js';
import { RunFollower } from './follow/index.js';
import type { HostApi, HostEventListener } from './host-api.js';
import { createHandlers, type Handlers } from './handlers.js';
import { PathPolicy } from './path-policy.js';
import { labPaths } from './paths.js';
import { RunQueue } from './runs/run-queue.js';
import { RunStore } from './runs/run-store.js';
import { refreshStudyReport } from './studies/study-report.js';
import { loadSettings, saveSettings, type Settings } from './settings.js';
import type { RunProgress } from '../../shared/run-types.js';

/** Options of {@link createLabHost}. */
export interface LabHostOptions {
  /** The lab's data folder. */
  dataDir: string;
  /** Desktop app or browser UI. */
  mode: 'electron' | 'web';
  /** How engines start (default: child_process.fork of the built engine). */
  launcher?: EngineLauncher;
  /** App version shown by the System screen. */
  version?: string;
  /**
   * Web mode: the only folders a request may name a server path in (imports, analyses, teacher
   * checkpoints), checked after resolving links; see {@link PathPolicy}. Undefined = any path (the
   * desktop app and the CLI, whose user owns the machine).
   */
  allowedRoots?: readonly string[];
}

/**
 * The host: run queue, run and dataset stores, settings, engine jobs — everything the UI, the web
 * server and the CLI talk to, with no knowledge of Electron.
 */
export class LabHost implements HostApi {
  readonly runs: RunStore;
  readonly datasets: DatasetStore;
  readonly queue: RunQueue;
  readonly events = new EventHub();
  readonly launcher: EngineLauncher;
  /** Runs on this machine (the queue). */
  readonly local: LocalExecutor;
  /** Runs as Slurm array tasks. */
  readonly slurm: SlurmExecutor;
  private readonly handlers: Handlers;
  private follower: RunFollower | undefined;
  private readonly reportTimers = new Map<string, NodeJS.Timeout>();
  private backendInfo: Promise<BackendInfo> | undefined;

  constructor(
    readonly options: LabHostOptions,
    readonly settings: Settings,
    /** Which server paths requests may name. */
    readonly pathPolicy: PathPolicy,
  ) {
    this.launcher = options.launcher ?? new ChildProcessLauncher();
    this.runs = new RunStore(options.dataDir);
    this.datasets = new DatasetStore(options.dataDir);
    this.queue = new RunQueue(
      this.runs,
      this.launcher,
      options.dataDir,
      {
        status: (s) => this.events.runStatus(s),
        message: (id, m) => {
          if (m.type === 'progress') {
            this.events.runProgress({ ...m.progress, runId: id });
            this.noteStepsPerEpoch(id, m.progress);
          } else if (m.type === 'metrics') this.events.runMetrics(id, m.record);
          else if (m.type === 'probe') this.events.runProbe(id, m.snapshot.epoch);
        },
      },
      {
        concurrency: settings.maxConcurrentRuns,
        backend: settings.backend,
        prepare: async (id) => {
          await this.ensureDataset((await this.runs.spec(id)).dataset);
        },
      },
    );
    this.local = new LocalExecutor(this.queue);
    this.slurm = new SlurmExecutor(
      options.dataDir,
      this.runs,
      () => this.settings.cluster,
      options.version ?? '0.0.0',
    );
    this.handlers = createHandlers(this);
  }

  /** Runs whose steps per epoch are in their status already (this host's lifetime). */
  private readonly stepsNoted = new Set<string>();

  /** Records a run's steps per epoch in its status, once, from its first training progress. */
  private noteStepsPerEpoch(id: string, p: RunProgress): void {
    if (p.phase !== 'training' || p.stepsPerEpoch <= 0 || this.stepsNoted.has(id)) return;
    this.stepsNoted.add(id);
    this.runs.updateStatus(id, { stepsPerEpoch: p.stepsPerEpoch }).catch(() => this.stepsNoted.delete(id));
  }

  /**
   * Follows run folders this host does not drive (Slurm tasks, another lab on the data folder):
   * their statuses, metrics, probes and progress are pushed like those of local runs, and a study's
   * report is rebuilt as its runs land. Idempotent; the desktop app and web mode call it at start.
   */
  follow(o: { intervalMs?: number } = {}): RunFollower {
    this.follower ??= new RunFollower(
      {
        runs: this.runs,
        drivenHere: (id) => this.local.has(id),
        decorate: (s) => this.slurm.decorate(s),
        events: this.events,
        landed: (id) => this.studyRunLanded(id),
      },
      { ...o, slurmMs: () => this.settings.cluster.pollSeconds * 1000 },
    );
    this.follower.start();
    return this.follower;
  }

  /** Rebuilds the report of the run's study (debounced: a whole array often lands at once). */
  private studyRunLanded(id: string): void {
    void this.runs
      .spec(id)
      .then((spec) => {
        const name = spec.study;
        if (!name) return;
        clearTimeout(this.reportTimers.get(name));
        const t = setTimeout(() => {
          this.reportTimers.delete(name);
          void refreshStudyReport(this.runs, this.options.dataDir, name).catch(() => undefined);
        }, 1000);
        t.unref?.();
        this.reportTimers.set(name, t);
      })
      .catch(() => undefined);
  }

  /** Replaces the settings (in memory and in settings.json). */
  async updateSettings(next: Settings): Promise<void> {
    await saveSettings(this.paths.settings, next);
    Object.assign(this.settings, next);
  }

  /**
   * Requests come from browsers (web mode, anyone with the token: the host has path roots), not
   * from the person who started the lab: they may not set what the cluster runs (the lab command,
   * free-form #SBATCH options), as they may not name server paths outside the roots.
   */
  get browserRequests(): boolean {
    return this.options.allowedRoots !== undefined;
  }

  /** The real path of a server path a request names, when the path policy allows it (see {@link PathPolicy.check}). */
  checkPath(p: string, what: string): Promise<string> {
    return this.pathPolicy.check(p, what);
  }

  /** The lab's folders. */
  get paths(): ReturnType<typeof labPaths> {
    return labPaths(this.options.dataDir);
  }

  /** Makes sure a dataset exists, importing a built-in one on first use. */
  async ensureDataset(id: string): Promise<void> {
    const builtin = await this.datasets.ensureBuiltin(id);
    if (!builtin) await this.datasets.get(id);
  }

  /** The engine's backend report (one short-lived engine process, cached). */
  backend(): Promise<BackendInfo> {
    this.backendInfo ??= this.runJob({ type: 'info' }).then((o) => {
      if (!o.info) throw new LabFailure('engine-crashed', 'the engine did not report its backend');
      return o.info;
    });
    this.backendInfo.catch(() => (this.backendInfo = undefined));
    return this.backendInfo;
  }

  /** Runs a one-shot engine job (analyze, preview, evaluate, bench, info) on the settings' backend unless told. */
  runJob(job: EngineJob, o: Partial<JobOptions> = {}): Promise<JobOutcome> {
    return runEngineJob(this.launcher, job, { backend: this.settings.backend, ...o });
  }

  async dispatch(channel: string, payload: unknown): Promise<Result<unknown>> {
    if (!Object.hasOwn(requestSchemas, channel))
      return err('unknown-channel', `unknown request channel "${channel}"`);
    const c = channel as RequestChannel;
    const parsed = requestSchemas[c].safeParse(payload ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({
        path: i.path.map(String).join('.'),
        message: i.message,
      }));
      return err(
        'invalid-request',
        `invalid ${c} request: ${issues.map((i) => `${i.path || '(payload)'}: ${i.message}`).join('; ')}`,
        issues,
      );
    }
    try {
      const handler = this.handlers[c] as (p: unknown) => Promise<unknown>;
      return ok(await handler(parsed.data));
    } catch (e) {
      return { ok: false, error: toLabError(e) };
    }
  }

  request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
    return this.dispatch(channel, payload) as Promise<Result<ResponseOf<C>>>;
  }

  subscribe(listener: HostEventListener): () => void {
    return this.events.subscribe(listener);
  }

  /**
   * Stops following and the queue (running runs checkpoint and become interrupted) and flushes
   * events. Cluster runs are not this host's: they go on running on Slurm.
   */
  async close(): Promise<void> {
    await this.follower?.stop();
    for (const t of this.reportTimers.values()) clearTimeout(t);
    await this.queue.close();
    this.events.close();
  }
}

/** Creates a host on a data folder (created if missing). */
export async function createLabHost(options: LabHostOptions): Promise<LabHost> {
  const p = labPaths(options.dataDir);
  await Promise.all([p.runs, p.datasets, p.tmp].map((d) => fs.mkdir(d, { recursive: true })));
  await cleanTmp(p.tmp);
  const policy = await PathPolicy.create(options.allowedRoots);
  return new LabHost(options, await loadSettings(p.settings), policy);
}

/** Leftovers of crashed imports/exports. Only entries older than a day: another host may be importing. */
async function cleanTmp(tmp: string): Promise<void> {
  const day = Date.now() - 24 * 3600 * 1000;
  const sweep = async (dir: string): Promise<void> => {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      const full = path.join(dir, name);
      // Web mode stages each drop in uploads/<batch>/, which a new drop keeps fresh: sweep the
      // drops themselves, or every dataset ever uploaded stays on disk beside its import.
      if (dir === tmp && name === 'uploads') {
        await sweep(full);
        continue;
      }
      const st = await fs.stat(full).catch(() => undefined);
      if (st && st.mtimeMs < day) await fs.rm(full, { recursive: true, force: true });
    }
  };
  await sweep(tmp);
}
