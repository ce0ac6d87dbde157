import type { EventChannel, EventMap } from '../../shared/contract.js';
import type { ImportProgress } from '../../shared/dataset-types.js';
import type { MetricsRecord, RunProgress, RunStatus } from '../../shared/run-types.js';
import type { HostEventListener } from './host-api.js';

/**
 * Collects host events and pushes them in batches at most `hz` times a second: the latest status
 * and progress per run (older ones are superseded), all new metrics records per run, probe epochs.
 * Keeps a UI streaming many runs smooth, whatever rate the engines report at.
 */
export class EventHub {
  private readonly listeners = new Set<HostEventListener>();
  private status = new Map<string, RunStatus>();
  private progress = new Map<string, RunProgress>();
  private metrics = new Map<string, MetricsRecord[]>();
  private probes: { id: string; epoch: number }[] = [];
  private imports = new Map<string, ImportProgress>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly hz = 10) {}

  subscribe(listener: HostEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  runStatus(s: RunStatus): void {
    this.status.set(s.id, s);
    // A terminal status makes earlier progress stale.
    if (s.state !== 'running') this.progress.delete(s.id);
    this.schedule();
  }

  runProgress(p: RunProgress): void {
    this.progress.set(p.runId, p);
    this.schedule();
  }

  runMetrics(id: string, record: MetricsRecord): void {
    this.metrics.set(id, [...(this.metrics.get(id) ?? []), record]);
    this.schedule();
  }

  runProbe(id: string, epoch: number): void {
    this.probes.push({ id, epoch });
    this.schedule();
  }

  importProgress(p: ImportProgress): void {
    this.imports.set(p.jobId, p);
    this.schedule();
  }

  /** Pushed at once (rare, and the UI should not wait). */
  now<E extends EventChannel>(channel: E, payload: EventMap[E]): void {
    for (const l of this.listeners) l(channel, payload);
  }

  /** Pushes what is pending immediately (tests, shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const emit = <E extends EventChannel>(channel: E, payload: EventMap[E], n: number): void => {
      if (n > 0) this.now(channel, payload);
    };
    emit('lab:runs.onStatus', [...this.status.values()], this.status.size);
    emit(
      'lab:runs.onMetrics',
      [...this.metrics].map(([id, records]) => ({ id, records })),
      this.metrics.size,
    );
    emit('lab:runs.onProbe', this.probes, this.probes.length);
    emit('lab:runs.onProgress', [...this.progress.values()], this.progress.size);
    emit('lab:datasets.onImportProgress', [...this.imports.values()], this.imports.size);
    this.status = new Map();
    this.metrics = new Map();
    this.probes = [];
    this.imports = new Map();
    // Progress is level-triggered: only changes are re-sent.
    this.progress = new Map();
  }

  close(): void {
    this.flush();
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), 1000 / this.hz);
  }
}
