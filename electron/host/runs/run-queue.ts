import os from 'node:os';
import type { EngineToHost } from '../../../shared/engine-protocol.js';
import { toLabError } from '../../../shared/result.js';
import type { RunStatus } from '../../../shared/run-types.js';
import type { BackendChoice } from '../../../shared/spec/training.js';
import { grantThreads, THREAD_POLICY, type ThreadsInfo } from '../../../shared/threads.js';
import type { EngineLauncher } from '../engine-launcher.js';
import { runEngineJob } from '../launch/engine-job.js';
import { thisHolder } from './run-holder.js';
import type { RunStore } from './run-store.js';

/** What the queue reports as runs progress. */
export interface QueueListener {
  status(status: RunStatus): void;
  message(runId: string, message: EngineToHost): void;
}

/** How a queued run starts: fresh, resumed from a chosen checkpoint folder, or resumed from the newest intact one. */
export type ResumeMode = boolean | { from: string };

interface Pending {
  id: string;
  resume: ResumeMode;
  /** Overrides the spec's backend for this engine (a resume elsewhere). */
  backend?: BackendChoice;
}

/**
 * Runs queued runs, at most `concurrency` at a time, each in its own engine process. The queue
 * owns the status of the runs it drives; Stop is a cooperative cancel (the engine checkpoints and
 * exits), then a kill after the grace period. Cores are shared by {@link THREAD_POLICY}: a run
 * is granted its threads when it starts, and the engine reports what it actually uses.
 */
export class RunQueue {
  private readonly waiting: Pending[] = [];
  private readonly running = new Map<string, AbortController>();
  /** Threads granted to each running run (then what its engine reported using). */
  private readonly threads = new Map<string, number>();
  /** Runs between the `has` check of {@link enqueue} and their place in `waiting`. */
  private readonly enqueuing = new Set<string>();
  private closed = false;

  constructor(
    private readonly store: RunStore,
    private readonly launcher: EngineLauncher,
    private readonly dataDir: string,
    private readonly listener: QueueListener,
    private readonly o: {
      concurrency: number;
      /** Run before an engine starts (e.g. importing a built-in dataset on first use). */
      prepare?: (id: string) => Promise<void>;
      backend?: BackendChoice;
      killAfterMs?: number;
      /** Logical cores shared between runs (default: this machine's). */
      cores?: number;
    },
  ) {}

  /** The cores and the threads of the runs training now. */
  threadUse(): ThreadsInfo {
    let inUse = 0;
    for (const t of this.threads.values()) inUse += t;
    return {
      cores: this.o.cores ?? os.availableParallelism(),
      inUse,
      maxConcurrentRuns: this.o.concurrency,
      policy: THREAD_POLICY,
    };
  }

  /** Runs waiting and running. */
  counts(): { running: number; queued: number } {
    return { running: this.running.size, queued: this.waiting.length };
  }

  /** True while the run is queued or running here. */
  has(id: string): boolean {
    return this.running.has(id) || this.enqueuing.has(id) || this.waiting.some((p) => p.id === id);
  }

  /**
   * Queues a run: new (`false`), resumed from the checkpoint folder `{ from }` (the host's choice,
   * told to the person), or resumed from the newest intact checkpoint the engine finds (`true`);
   * `backend` overrides the spec's for this engine (a resume elsewhere, e.g. after a GPU fault).
   */
  async enqueue(id: string, resume: ResumeMode = false, backend?: BackendChoice): Promise<void> {
    if (this.has(id)) return;
    // Two requests for the same run (a double-clicked Resume) must not both pass the check above
    // while the status is written: that would start two engines on one run folder.
    this.enqueuing.add(id);
    try {
      this.listener.status(
        await this.store.updateStatus(id, {
          state: 'queued',
          holder: thisHolder(),
          error: undefined,
          endedAt: undefined,
        }),
      );
      this.waiting.push({ id, resume, ...(backend ? { backend } : {}) });
    } finally {
      this.enqueuing.delete(id);
    }
    this.pump();
  }

  /** Stops a run: a queued one is cancelled at once, a running one cooperatively. */
  async stop(id: string): Promise<boolean> {
    const i = this.waiting.findIndex((p) => p.id === id);
    if (i >= 0) {
      this.waiting.splice(i, 1);
      this.listener.status(
        await this.store.updateStatus(id, { state: 'cancelled', endedAt: new Date().toISOString() }),
      );
      return true;
    }
    const ctl = this.running.get(id);
    if (!ctl) return false;
    ctl.abort();
    return true;
  }

  /** Cancels everything (app quit): running runs checkpoint and end as interrupted. */
  async close(): Promise<void> {
    this.closed = true;
    const ids = [...this.running.keys()];
    for (const p of this.waiting.splice(0)) {
      await this.store.updateStatus(p.id, {
        state: 'interrupted',
        error: { code: 'interrupted', message: 'the lab was closed before this run started' },
      });
    }
    for (const id of ids) this.running.get(id)?.abort();
    await Promise.all(ids.map((id) => this.waitFor(id)));
  }

  private waiters = new Map<string, (() => void)[]>();

  /** Resolves when the run is no longer running here. */
  waitFor(id: string): Promise<void> {
    if (!this.has(id)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.o.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift();
      if (next) void this.start(next);
    }
  }

  private async start(p: Pending): Promise<void> {
    const ctl = new AbortController();
    this.running.set(p.id, ctl);
    const emit = (s: RunStatus): void => this.listener.status(s);
    try {
      await this.o.prepare?.(p.id);
      const spec = await this.store.spec(p.id);
      const use = this.threadUse();
      const threads = grantThreads(spec.threads, use.cores, use.inUse);
      this.threads.set(p.id, threads);
      emit(
        await this.store.updateStatus(p.id, {
          state: 'running',
          startedAt: new Date().toISOString(),
          error: undefined,
          threads,
        }),
      );
      const outcome = await runEngineJob(
        this.launcher,
        {
          type: 'train',
          runDir: this.store.dir(p.id),
          dataDir: this.dataDir,
          resume: p.resume !== false,
          ...(typeof p.resume === 'object' ? { resumeFrom: p.resume.from } : {}),
          threads,
        },
        {
          backend: p.backend ?? (spec.backend !== 'auto' ? spec.backend : (this.o.backend ?? 'auto')),
          signal: ctl.signal,
          ...(this.o.killAfterMs !== undefined ? { killAfterMs: this.o.killAfterMs } : {}),
          onStart: (pid) => void this.store.updateStatus(p.id, { pid }).then(emit, () => undefined),
          onMessage: (m) => void this.onMessage(p.id, m),
        },
      );
      const state = outcome.outcome === 'result' ? 'completed' : this.closed ? 'interrupted' : 'cancelled';
      emit(await this.store.updateStatus(p.id, { state, pid: undefined, endedAt: new Date().toISOString() }));
    } catch (e) {
      // The run folder may be gone (deleted by hand): nothing to record, and no rejection may
      // escape `void this.start()` to take the host and its other runs down.
      const failed = await this.store
        .updateStatus(p.id, {
          state: 'failed',
          pid: undefined,
          endedAt: new Date().toISOString(),
          error: toLabError(e),
        })
        .catch(() => undefined);
      if (failed) emit(failed);
    } finally {
      this.running.delete(p.id);
      this.threads.delete(p.id);
      for (const w of this.waiters.get(p.id) ?? []) w();
      this.waiters.delete(p.id);
      this.pump();
    }
  }

  private async onMessage(id: string, m: EngineToHost): Promise<void> {
    this.listener.message(id, m);
    if (m.type === 'ready') {
      this.listener.status(await this.store.updateStatus(id, { backend: m.info.backend }));
    } else if (m.type === 'checkpoint') {
      this.listener.status(await this.store.updateStatus(id, { epoch: m.epoch }));
    } else if (m.type === 'progress' && m.progress.threads !== undefined) {
      // The engine uses fewer than granted on a GPU backend or a small batch: the rest is free.
      const used = m.progress.threads;
      if (this.threads.has(id) && this.threads.get(id) !== used) {
        this.threads.set(id, used);
        this.listener.status(await this.store.updateStatus(id, { threads: used }));
      }
    }
  }
}
