import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { GraphData, RunDetail } from '../../../shared/contract';
import {
  TERMINAL_STATES,
  type MetricsRecord,
  type ProbeSnapshot,
  type RunProgress,
  type RunStatus,
} from '../../../shared/run-types';
import { useApi } from '../api';
import { useNotifyStore } from './notify';

const GRAPH_CACHE = 48;
// While a run trains, new metrics lines are pulled at most this often (events may carry only
// epoch records; per-batch lines are read from metrics.jsonl by offset).
const PULL_MS = 1000;

function recordKey(r: MetricsRecord): string {
  return `${r.type}:${r.epoch}:${r.step}`;
}

/** Order of metrics lines: by optimiser step, a step's batch line before its epoch line. */
function byStep(a: MetricsRecord, b: MetricsRecord): number {
  return a.step - b.step || (a.type === b.type ? 0 : a.type === 'step' ? -1 : 1);
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  });
  await Promise.all(workers);
}

/**
 * The open run of the dashboard: detail, metrics, probe snapshots and LGG graphs, plus the epoch
 * cursor every chart shares. Large series live in shallow refs bumped by a version counter, so a
 * stream of metrics does not walk thousands of records through Vue's deep reactivity.
 */
export const useRunDetailStore = defineStore('run-detail', () => {
  const runId = ref<string | null>(null);
  const detail = shallowRef<RunDetail | null>(null);
  const metrics = shallowRef<MetricsRecord[]>([]);
  const snapshots = shallowRef(new Map<number, ProbeSnapshot>());
  const graphs = shallowRef(new Map<string, GraphData>());
  const probeEpochs = ref<number[]>([]);
  const cursor = ref<number | null>(null);
  const tap = ref<string | null>(null);
  const loading = ref(false);
  /** The open run's latest training progress (kept after it stops: the curves' steps per epoch). */
  const lastProgress = shallowRef<RunProgress | null>(null);
  const notify = useNotifyStore();
  let keys = new Set<string>();
  let generation = 0;
  let nextLine = 0;
  let pulling = false;
  let lastPull = 0;
  let pullTimer: ReturnType<typeof setTimeout> | null = null;

  const status = computed(() => detail.value?.summary.status);
  const isLive = computed(() => (status.value ? !TERMINAL_STATES.includes(status.value.state) : false));
  /** The epoch the charts show: the user's choice, else the latest probe. */
  const epoch = computed(() => cursor.value ?? probeEpochs.value[probeEpochs.value.length - 1] ?? null);
  const snapshot = computed(() => (epoch.value === null ? undefined : snapshots.value.get(epoch.value)));
  const taps = computed(() => {
    const any = snapshot.value ?? snapshots.value.values().next().value;
    return any?.taps.map((t) => t.tap) ?? [];
  });
  /** Steps per epoch where known (live progress, the status, the spec); null: curves are drawn over steps. */
  const stepsPerEpoch = computed<number | null>(() => {
    const p = lastProgress.value;
    if (p && p.stepsPerEpoch > 0) return p.stepsPerEpoch;
    return detail.value?.summary.status.stepsPerEpoch ?? detail.value?.spec.training.stepsPerEpoch ?? null;
  });
  const currentTap = computed(() =>
    tap.value && taps.value.includes(tap.value) ? tap.value : (taps.value[taps.value.length - 1] ?? null),
  );

  function appendRecords(records: MetricsRecord[]): void {
    const fresh = records.filter((r) => !keys.has(recordKey(r)));
    if (fresh.length === 0) return;
    for (const r of fresh) keys.add(recordKey(r));
    const all = metrics.value.concat(fresh);
    // Pushed lines can overtake the pull of older ones (a run opened while it streams, a
    // reconnect): the charts draw lines in array order, so keep it the file's order.
    for (let i = Math.max(1, metrics.value.length); i < all.length; i++) {
      if (byStep(all[i - 1] as MetricsRecord, all[i] as MetricsRecord) > 0) {
        all.sort(byStep);
        break;
      }
    }
    metrics.value = all;
  }

  async function fetchSnapshot(id: string, e: number, gen: number): Promise<void> {
    try {
      const snap = await useApi().request('lab:runs.probe', { id, epoch: e });
      if (gen !== generation) return;
      snapshots.value.set(e, snap);
      triggerRef(snapshots);
    } catch {
      // A snapshot still being written is fetched again on its probe event.
    }
  }

  /** Reads metrics lines from the last offset to the end of the file. */
  async function pullMetrics(id: string, gen: number): Promise<void> {
    if (pulling) return;
    pulling = true;
    lastPull = Date.now();
    try {
      for (let i = 0; i < 1000; i++) {
        const page = await useApi().request('lab:runs.metrics', { id, from: nextLine });
        if (gen !== generation) return;
        appendRecords(page.records);
        if (page.records.length === 0 || page.next <= nextLine) break;
        nextLine = page.next;
      }
    } finally {
      pulling = false;
    }
  }

  /** Pulls new lines soon, at most once per {@link PULL_MS}. */
  function schedulePull(): void {
    const id = runId.value;
    if (!id || pullTimer) return;
    const gen = generation;
    pullTimer = setTimeout(
      () => {
        pullTimer = null;
        if (gen === generation) void pullMetrics(id, gen).catch(() => undefined);
      },
      Math.max(0, lastPull + PULL_MS - Date.now()),
    );
  }

  /** Drops a pending pull of the run shown before (it would block the next run's pulls). */
  function cancelPull(): void {
    if (pullTimer) clearTimeout(pullTimer);
    pullTimer = null;
  }

  async function open(id: string): Promise<void> {
    const gen = ++generation;
    cancelPull();
    runId.value = id;
    detail.value = null;
    metrics.value = [];
    keys = new Set();
    nextLine = 0;
    pulling = false;
    snapshots.value = new Map();
    graphs.value = new Map();
    probeEpochs.value = [];
    cursor.value = null;
    tap.value = null;
    lastProgress.value = null;
    loading.value = true;
    const api = useApi();
    try {
      detail.value = await api.request('lab:runs.get', { id });
      await pullMetrics(id, gen);
      const { epochs } = await api.request('lab:runs.probes', { id });
      if (gen !== generation) return;
      probeEpochs.value = [...new Set([...probeEpochs.value, ...epochs])].sort((a, b) => a - b);
      await pool(probeEpochs.value, 4, (e) => fetchSnapshot(id, e, gen));
    } catch (e) {
      if (gen === generation) notify.error(e, 'Run');
    } finally {
      if (gen === generation) loading.value = false;
    }
  }

  function close(): void {
    generation++;
    cancelPull();
    runId.value = null;
  }

  async function graph(file: string): Promise<GraphData | null> {
    const id = runId.value;
    if (!id) return null;
    const cached = graphs.value.get(file);
    if (cached) return cached;
    try {
      const g = await useApi().request('lab:runs.graph', { id, file });
      if (runId.value !== id) return null;
      if (graphs.value.size >= GRAPH_CACHE) {
        const oldest = graphs.value.keys().next().value;
        if (oldest !== undefined) graphs.value.delete(oldest);
      }
      graphs.value.set(file, g);
      return g;
    } catch (e) {
      notify.error(e, 'Graph');
      return null;
    }
  }

  function onMetrics(batches: { id: string; records: MetricsRecord[] }[]): void {
    for (const b of batches) {
      if (b.id !== runId.value) continue;
      appendRecords(b.records);
      schedulePull();
    }
  }

  function onProgress(items: RunProgress[]): void {
    const mine = items.filter((p) => p.runId === runId.value);
    const training = mine.filter((p) => p.phase === 'training' && p.stepsPerEpoch > 0);
    const last = training[training.length - 1];
    if (last) lastProgress.value = last;
    if (mine.length > 0) schedulePull();
  }

  function onProbe(items: { id: string; epoch: number }[]): void {
    const id = runId.value;
    if (!id) return;
    for (const p of items) {
      if (p.id !== id) continue;
      if (!probeEpochs.value.includes(p.epoch))
        probeEpochs.value = [...probeEpochs.value, p.epoch].sort((a, b) => a - b);
      void fetchSnapshot(id, p.epoch, generation);
    }
  }

  function onStatus(statuses: RunStatus[]): void {
    const d = detail.value;
    const s = statuses.find((x) => x.id === runId.value);
    if (!d || !s) return;
    const wasLive = !TERMINAL_STATES.includes(d.summary.status.state);
    detail.value = { ...d, summary: { ...d.summary, status: s } };
    // The report is written when the run ends: fetch it once.
    if (wasLive && TERMINAL_STATES.includes(s.state)) {
      const gen = generation;
      schedulePull();
      void useApi()
        .request('lab:runs.get', { id: s.id })
        .then((fresh) => {
          if (gen === generation) detail.value = fresh;
        })
        .catch(() => undefined);
    }
  }

  function setCursor(e: number | null): void {
    cursor.value = e === null || e === probeEpochs.value[probeEpochs.value.length - 1] ? null : e;
  }

  return {
    runId,
    detail,
    metrics,
    snapshots,
    probeEpochs,
    cursor,
    tap,
    loading,
    lastProgress,
    stepsPerEpoch,
    status,
    isLive,
    epoch,
    snapshot,
    taps,
    currentTap,
    open,
    close,
    graph,
    onMetrics,
    onProgress,
    onProbe,
    onStatus,
    setCursor,
  };
});
