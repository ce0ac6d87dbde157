import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { MetricsRecord, RunProgress, RunState, RunStatus, RunSummary } from '../../../shared/run-types';
import { useApi } from '../api';
import { downloadHref } from '../util/download';
import { useNotifyStore } from './notify';

/** Columns the runs table sorts by. */
export type RunSortKey =
  'name' | 'state' | 'kind' | 'method' | 'dataset' | 'seed' | 'best' | 'last' | 'seconds' | 'created';

function sortValue(r: RunSummary, key: RunSortKey): string | number {
  switch (key) {
    case 'name':
      return r.name.toLowerCase();
    case 'state':
      return r.status.state;
    case 'kind':
      return r.kind;
    case 'method':
      return r.method;
    case 'dataset':
      return r.dataset;
    case 'seed':
      return r.seed;
    case 'best':
      return r.bestTestAcc ?? -1;
    case 'last':
      return r.lastTestAcc ?? -1;
    case 'seconds':
      return r.seconds;
    case 'created':
      return r.status.createdAt;
  }
}

/** Sorts a copy of `rows`. */
export function sortRuns(rows: RunSummary[], key: RunSortKey, dir: 1 | -1): RunSummary[] {
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}

/** The runs table: summaries, live statuses and progress, selection, sorting and filters. */
export const useRunsStore = defineStore('runs', () => {
  const rows = ref<RunSummary[]>([]);
  const loaded = ref(false);
  // Progress arrives up to 10×/s per run: a shallow map, triggered once per batch.
  const progress = shallowRef(new Map<string, RunProgress>());
  const selected = ref<string[]>([]);
  const sortKey = ref<RunSortKey>('created');
  const sortDir = ref<1 | -1>(-1);
  const filterText = ref('');
  const filterState = ref<RunState | ''>('');
  const filterKind = ref('');
  const notify = useNotifyStore();
  let reloadTimer: ReturnType<typeof setTimeout> | null = null;

  const visible = computed(() => {
    const text = filterText.value.trim().toLowerCase();
    const filtered = rows.value.filter(
      (r) =>
        (filterState.value === '' || r.status.state === filterState.value) &&
        (filterKind.value === '' || r.kind === filterKind.value) &&
        (text === '' ||
          `${r.name} ${r.method} ${r.dataset} ${r.model} ${r.study ?? ''}`.toLowerCase().includes(text)),
    );
    return sortRuns(filtered, sortKey.value, sortDir.value);
  });
  const running = computed(() => rows.value.filter((r) => r.status.state === 'running').length);
  const queued = computed(() => rows.value.filter((r) => r.status.state === 'queued').length);
  const byId = computed(() => new Map(rows.value.map((r) => [r.id, r])));

  async function load(): Promise<void> {
    try {
      rows.value = await useApi().request('lab:runs.list', {});
      loaded.value = true;
      const ids = new Set(rows.value.map((r) => r.id));
      selected.value = selected.value.filter((id) => ids.has(id));
    } catch (e) {
      notify.error(e, 'Runs');
    }
  }

  /** Coalesces list reloads (a new run appearing in a status event) to one per 300 ms. */
  function scheduleReload(): void {
    reloadTimer ??= setTimeout(() => {
      reloadTimer = null;
      void load();
    }, 300);
  }

  function setSort(key: RunSortKey): void {
    if (sortKey.value === key) sortDir.value = sortDir.value === 1 ? -1 : 1;
    else {
      sortKey.value = key;
      sortDir.value = key === 'name' || key === 'method' || key === 'dataset' ? 1 : -1;
    }
  }

  function toggle(id: string): void {
    selected.value = selected.value.includes(id)
      ? selected.value.filter((x) => x !== id)
      : [...selected.value, id];
  }

  function onStatus(statuses: RunStatus[]): void {
    const index = new Map(rows.value.map((r, i) => [r.id, i]));
    let unknown = false;
    const next = [...rows.value];
    for (const s of statuses) {
      const i = index.get(s.id);
      const row = i === undefined ? undefined : next[i];
      if (i === undefined || !row) unknown = true;
      else next[i] = { ...row, status: s };
      if (s.state !== 'running' && progress.value.delete(s.id)) triggerRef(progress);
    }
    rows.value = next;
    if (unknown) scheduleReload();
  }

  function onProgress(items: RunProgress[]): void {
    for (const p of items) progress.value.set(p.runId, p);
    triggerRef(progress);
  }

  /** Keeps the table's accuracy columns live from epoch records. */
  function onMetrics(batches: { id: string; records: MetricsRecord[] }[]): void {
    let changed = false;
    const next = rows.value.map((r) => {
      const batch = batches.find((b) => b.id === r.id);
      const epochs = batch?.records.filter((x) => x.type === 'epoch') ?? [];
      const last = epochs[epochs.length - 1];
      if (!last || last.type !== 'epoch') return r;
      changed = true;
      const best = Math.max(r.bestTestAcc ?? 0, ...epochs.map((e) => (e.type === 'epoch' ? e.test.acc : 0)));
      return {
        ...r,
        lastTestAcc: last.test.acc,
        bestTestAcc: best,
        seconds: r.seconds + epochs.reduce((s, e) => s + (e.type === 'epoch' ? e.seconds : 0), 0),
      };
    });
    if (changed) rows.value = next;
  }

  async function stop(id: string): Promise<void> {
    try {
      await useApi().request('lab:runs.stop', { id });
    } catch (e) {
      notify.error(e, 'Stop');
    }
  }

  async function resume(id: string): Promise<void> {
    try {
      const r = await useApi().request('lab:runs.resume', { id });
      notify.info(`Resuming ${r.note}`);
      scheduleReload();
    } catch (e) {
      notify.error(e, 'Resume');
    }
  }

  async function remove(ids: string[]): Promise<void> {
    for (const id of ids) {
      try {
        await useApi().request('lab:runs.remove', { id });
      } catch (e) {
        notify.error(e, `Delete ${id}`);
      }
    }
    selected.value = selected.value.filter((id) => !ids.includes(id));
    await load();
  }

  /** Exports a run; web mode downloads the file, Electron shows it in its folder. */
  async function exportRun(id: string, format: 'json' | 'csv' | 'zip'): Promise<void> {
    try {
      const api = useApi();
      const { path } = await api.request('lab:runs.export', { id, format });
      const url = api.downloadUrl(path);
      if (url) downloadHref(url, path.split(/[\\/]/).pop() ?? `${id}.${format}`);
      else await api.request('lab:shell.openPath', { path, reveal: true });
    } catch (e) {
      notify.error(e, 'Export');
    }
  }

  /** Opens the run folder (Electron) or reports its path (web mode). */
  async function openFolder(id: string): Promise<void> {
    try {
      const api = useApi();
      const detail = await api.request('lab:runs.get', { id });
      const { opened } = await api.request('lab:shell.openPath', { path: detail.path });
      if (!opened) notify.info(`Run folder: ${detail.path}`);
    } catch (e) {
      notify.error(e, 'Open folder');
    }
  }

  return {
    rows,
    loaded,
    progress,
    selected,
    sortKey,
    sortDir,
    filterText,
    filterState,
    filterKind,
    visible,
    running,
    queued,
    byId,
    load,
    setSort,
    toggle,
    onStatus,
    onProgress,
    onMetrics,
    stop,
    resume,
    remove,
    exportRun,
    openFolder,
  };
});
