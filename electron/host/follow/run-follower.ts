import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SLURM_DONE_PHASES, type SlurmPhase, type SlurmTaskState } from '../../../shared/executor.js';
import {
  TERMINAL_STATES,
  type MetricsRecord,
  type RunProgress,
  type RunStatus,
} from '../../../shared/run-types.js';
import { readJsonIfExists } from '../../common/atomic-file.js';

/** What the follower needs of the host. */
export interface FollowTarget {
  /** Run folders root and reads (the host's run store). */
  runs: {
    root: string;
    ids(): Promise<string[]>;
    dir(id: string): string;
    probeEpochs(id: string): Promise<number[]>;
  };
  /** True for runs this host's own queue drives (their engine reports them already). */
  drivenHere(id: string): boolean;
  /** Adds the Slurm view to cluster runs (and reconciles what Slurm says ended). */
  decorate(statuses: RunStatus[]): Promise<RunStatus[]>;
  /** Where changes go (the host's throttled event hub). */
  events: {
    runStatus(s: RunStatus): void;
    runProgress(p: RunProgress): void;
    runMetrics(id: string, record: MetricsRecord): void;
    runProbe(id: string, epoch: number): void;
  };
  /** Called when a run of a study reaches a final state (the study report merges it). */
  landed(id: string): void;
}

/** What was last seen of one run folder. */
interface Seen {
  status: string;
  state: RunStatus['state'] | undefined;
  metricsSize: number;
  /** Bytes of metrics.jsonl up to the end of its last complete line. */
  metricsBytes: number;
  probes: string;
  progress: string;
  slurm: string;
  /** The task's Slurm phase when last asked (cluster runs). */
  slurmPhase?: SlurmPhase;
  last: RunStatus | undefined;
}

/**
 * True once a run changes no more on its own: a final status and, for a cluster run, a Slurm task
 * that is over (a requeued task is pending again; one that just ended may still read RUNNING).
 */
function settled(s: Seen): boolean {
  if (s.state === undefined || !TERMINAL_STATES.includes(s.state)) return false;
  if (s.last?.executor === undefined || s.last.executor.jobId === undefined) return true;
  const p = s.slurmPhase;
  return p !== undefined && (SLURM_DONE_PHASES.includes(p) || p === 'unknown');
}

/** Options of {@link RunFollower}. */
export interface FollowOptions {
  /** Milliseconds between file polls (default 1000). */
  intervalMs?: number;
  /** Milliseconds between Slurm queries while cluster runs are active (default 10 s). */
  slurmMs?: () => number;
  /** Finished runs are re-checked every this many polls (a resume elsewhere revives them). */
  idleEvery?: number;
}

/** Changes whenever a file is rewritten: atomic writes rename a new inode over it, and NFS mtimes may be coarse. */
async function statKey(file: string): Promise<string> {
  try {
    const st = await fs.stat(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return '';
  }
}

async function size(file: string): Promise<number> {
  return fs.stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/**
 * Complete lines of an append-only JSON-lines file between byte offsets: a last line still being
 * written (no newline yet) is left for the next read, and `end` stops before it.
 */
export async function readLines(
  file: string,
  from: number,
  to: number,
): Promise<{ records: MetricsRecord[]; end: number }> {
  if (to <= from) return { records: [], end: from };
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(to - from);
    const { bytesRead } = await h.read(buf, 0, buf.length, from);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl < 0) return { records: [], end: from };
    const records: MetricsRecord[] = [];
    for (const line of buf.subarray(0, nl).toString('utf8').split('\n')) {
      try {
        if (line.trim() !== '') records.push(JSON.parse(line) as MetricsRecord);
      } catch {
        // A damaged line is skipped; the lines after it still count.
      }
    }
    return { records, end: from + nl + 1 };
  } finally {
    await h.close();
  }
}

function slurmKey(s: SlurmTaskState | undefined): string {
  return s ? `${s.phase}|${s.state}|${s.node ?? ''}|${s.reason ?? ''}` : '';
}

/**
 * Follows run folders that other processes write — Slurm tasks on compute nodes, another lab on
 * the same data folder — and pushes what changes as the host's usual events: new run folders and
 * status.json changes (statuses), metrics.jsonl growth (records, a torn last line read next time),
 * new probe snapshots, progress.json. A cheap poll of mtimes and sizes, because inotify does not
 * see writes other machines make on NFS. Cluster runs also get their Slurm state, re-asked every
 * `slurmMs` while any is active.
 */
export class RunFollower {
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private lastSlurm = 0;
  private running: Promise<void> | undefined;
  private primed = false;

  constructor(
    private readonly target: FollowTarget,
    private readonly o: FollowOptions = {},
  ) {}

  /** Starts polling (idempotent). Runs present now are taken as known: only their changes are pushed. */
  start(): void {
    if (this.timer) return;
    const interval = this.o.intervalMs ?? 1000;
    const loop = (): void => {
      this.timer = setTimeout(() => {
        void this.tick().finally(() => {
          if (this.timer) loop();
        });
      }, interval);
      this.timer.unref?.();
    };
    void this.tick();
    loop();
  }

  /** Stops polling and waits for a poll in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One poll of every run folder, after any poll in flight (exposed for tests). */
  async tick(): Promise<void> {
    await this.running?.catch(() => undefined);
    const p = this.poll().catch(() => undefined);
    this.running = p;
    await p;
  }

  private async poll(): Promise<void> {
    this.ticks++;
    const ids = await this.target.runs.ids();
    const alive = new Set(ids);
    for (const id of [...this.seen.keys()]) if (!alive.has(id)) this.seen.delete(id);
    const changed: RunStatus[] = [];
    const idleEvery = this.o.idleEvery ?? 5;
    for (const id of ids) {
      const prev = this.seen.get(id);
      if (prev && settled(prev) && this.ticks % idleEvery !== 0) continue;
      const s = await this.pollRun(id, prev);
      if (s) changed.push(s);
    }
    this.primed = true;
    await this.pollSlurm(changed);
  }

  /** Polls one run folder; returns its status when status.json changed. */
  private async pollRun(id: string, prev: Seen | undefined): Promise<RunStatus | undefined> {
    const dir = this.target.runs.dir(id);
    const here = this.target.drivenHere(id);
    const seen: Seen = prev ?? {
      status: '',
      state: undefined,
      metricsSize: 0,
      metricsBytes: 0,
      probes: '',
      progress: '',
      slurm: '',
      last: undefined,
    };
    this.seen.set(id, seen);
    // Before the first poll completes, everything on disk is already known to the UI (it lists it).
    const quiet = !this.primed || here;
    let out: RunStatus | undefined;
    const statusKey = await statKey(path.join(dir, 'status.json'));
    if (statusKey !== seen.status) {
      // A status read mid-rename on a network filesystem may fail: it is read again next poll.
      const s = await readJsonIfExists<RunStatus>(path.join(dir, 'status.json')).catch(() => undefined);
      if (s) {
        const was = seen.state;
        seen.status = statusKey;
        seen.state = s.state;
        seen.last = s;
        if (!quiet) out = s;
        if (
          !quiet &&
          was !== undefined &&
          !TERMINAL_STATES.includes(was) &&
          TERMINAL_STATES.includes(s.state)
        )
          this.target.landed(id);
      }
    }
    const metricsFile = path.join(dir, 'metrics.jsonl');
    const mSize = await size(metricsFile);
    if (mSize !== seen.metricsSize) {
      // Shrunk: a resume cut the log back to its checkpoint; it is read again from the start, not
      // pushed (the records that follow are). A run first seen now is read by the UI itself.
      const shrunk = mSize < seen.metricsSize;
      const from = shrunk ? 0 : seen.metricsBytes;
      const read = await readLines(metricsFile, from, mSize).catch(() => ({ records: [], end: from }));
      if (!quiet && !shrunk && prev) for (const r of read.records) this.target.events.runMetrics(id, r);
      seen.metricsBytes = read.end;
      seen.metricsSize = mSize;
    }
    const probesKey = await statKey(path.join(dir, 'probes'));
    if (probesKey !== seen.probes) {
      const before = seen.probes;
      seen.probes = probesKey;
      if (!quiet && before !== '') {
        // New snapshot folders appear by rename: the newest epochs are the new ones.
        for (const e of (await this.target.runs.probeEpochs(id)).slice(-2))
          this.target.events.runProbe(id, e);
      }
    }
    const progressKey = await statKey(path.join(dir, 'progress.json'));
    if (progressKey !== seen.progress) {
      seen.progress = progressKey;
      if (!quiet && progressKey !== '' && seen.state === 'running') {
        const p = await readJsonIfExists<RunProgress>(path.join(dir, 'progress.json')).catch(() => undefined);
        if (p) this.target.events.runProgress({ ...p, runId: id });
      }
    }
    return out;
  }

  /** Asks Slurm about active cluster runs (at most every `slurmMs`) and pushes what changed. */
  private async pollSlurm(changed: RunStatus[]): Promise<void> {
    const every = this.o.slurmMs?.() ?? 10_000;
    const active = [...this.seen.values()]
      .filter((s) => s.last?.executor !== undefined && !settled(s))
      .map((s) => s.last)
      .filter((s): s is RunStatus => s !== undefined);
    const due = active.length > 0 && Date.now() - this.lastSlurm >= every;
    const byId = new Map(changed.map((s) => [s.id, s]));
    if (due) {
      this.lastSlurm = Date.now();
      for (const s of active) if (!byId.has(s.id)) byId.set(s.id, s);
    }
    const statuses = [...byId.values()];
    if (statuses.length === 0) return;
    const decorated = await this.target.decorate(statuses).catch(() => statuses);
    for (const s of decorated) {
      const seen = this.seen.get(s.id);
      const key = slurmKey(s.slurm);
      const fresh = changed.some((c) => c.id === s.id);
      if (seen) {
        if (s.slurm === undefined && seen.last?.slurm) s.slurm = seen.last.slurm;
        const slurmChanged = s.slurm !== undefined && key !== seen.slurm;
        if (s.slurm) {
          seen.slurm = key;
          seen.slurmPhase = s.slurm.phase;
        }
        if (s.state !== seen.state) {
          // Reconciled from Slurm's answer (status.json rewritten): pushed now, not re-read next poll.
          if (!TERMINAL_STATES.includes(seen.state ?? 'queued') && TERMINAL_STATES.includes(s.state))
            this.target.landed(s.id);
          seen.state = s.state;
        }
        seen.last = s;
        if (!fresh && !slurmChanged) continue;
      }
      this.target.events.runStatus(s);
    }
  }
}
