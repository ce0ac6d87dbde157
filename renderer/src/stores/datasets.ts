import { defineStore } from 'pinia';
import { ref, shallowRef, triggerRef } from 'vue';
import type { ResponseMap } from '../../../shared/contract';
import type { DatasetMeta, ImportPreview, ImportProgress } from '../../../shared/dataset-types';
import { useApi, type DroppedFile } from '../api';
import { useNotifyStore } from './notify';

/** Sample images of a dataset as the host returns them. */
export type Samples = ResponseMap['lab:datasets.samples'];

/** The import being prepared: files staged, then previewed, then confirmed. */
export interface PendingImport {
  /** `staging` while uploading (web) or resolving paths, `preview` once the host looked at it. */
  phase: 'staging' | 'previewing' | 'preview';
  /** Upload progress in [0, 1]. */
  fraction: number;
  /** The path the host imports. */
  path: string;
  /** What the host found there. */
  preview: ImportPreview | null;
  /** Display name (editable). */
  name: string;
}

/** The dataset store, import previews and import jobs. */
export const useDatasetsStore = defineStore('datasets', () => {
  const list = ref<DatasetMeta[]>([]);
  const loaded = ref(false);
  // Pixel arrays are big and never edited: keep them out of deep reactivity.
  const samples = shallowRef(new Map<string, Samples>());
  const pending = ref<PendingImport | null>(null);
  const jobs = ref<ImportProgress[]>([]);
  const notify = useNotifyStore();

  async function load(): Promise<void> {
    try {
      list.value = await useApi().request('lab:datasets.list', {});
      loaded.value = true;
    } catch (e) {
      notify.error(e, 'Datasets');
    }
  }

  async function previewPath(path: string): Promise<void> {
    pending.value = { phase: 'previewing', fraction: 1, path, preview: null, name: '' };
    try {
      const preview = await useApi().request('lab:datasets.preview', { path });
      if (pending.value?.path !== path) return;
      pending.value = { ...pending.value, phase: 'preview', preview, name: preview.name };
    } catch (e) {
      pending.value = null;
      notify.error(e, 'Cannot import this');
    }
  }

  /** Stages dropped files (uploads them in web mode) and previews the result. */
  async function dropFiles(files: DroppedFile[]): Promise<void> {
    if (files.length === 0) return;
    pending.value = { phase: 'staging', fraction: 0, path: '', preview: null, name: '' };
    let path: string;
    try {
      path = await useApi().stageFiles(files, (f) => {
        if (pending.value?.phase === 'staging') pending.value.fraction = f;
      });
    } catch (e) {
      pending.value = null;
      notify.error(e, 'Upload failed');
      return;
    }
    await previewPath(path);
  }

  async function confirmImport(): Promise<void> {
    const p = pending.value;
    if (!p?.preview) return;
    try {
      const { jobId } = await useApi().request('lab:datasets.import', {
        path: p.path,
        ...(p.name.trim().length > 0 ? { name: p.name.trim() } : {}),
      });
      jobs.value = [...jobs.value, { jobId, phase: 'reading', fraction: 0, done: 0, total: 0 }];
      pending.value = null;
    } catch (e) {
      notify.error(e, 'Import');
    }
  }

  function cancelPreview(): void {
    pending.value = null;
  }

  async function cancelImport(jobId: string): Promise<void> {
    try {
      await useApi().request('lab:datasets.cancelImport', { jobId });
    } catch (e) {
      notify.error(e, 'Cancel import');
    }
  }

  async function remove(id: string): Promise<void> {
    try {
      await useApi().request('lab:datasets.remove', { id });
      list.value = list.value.filter((d) => d.id !== id);
    } catch (e) {
      notify.error(e, 'Delete dataset');
    }
  }

  async function loadSamples(id: string, count = 16): Promise<void> {
    if (samples.value.has(id)) return;
    try {
      const s = await useApi().request('lab:datasets.samples', { id, count });
      samples.value.set(id, s);
      triggerRef(samples);
    } catch {
      // A card without samples is still useful; the list itself reports real failures.
    }
  }

  /** Applies import progress events; finished jobs linger briefly so the user sees them end. */
  function onImportProgress(items: ImportProgress[]): void {
    const byId = new Map(jobs.value.map((j) => [j.jobId, j]));
    for (const p of items) {
      byId.set(p.jobId, p);
      if (p.phase === 'failed') notify.push('error', `Import failed: ${p.message ?? 'unknown error'}`);
      if (p.phase === 'done') {
        notify.info(`Imported ${p.datasetId ?? 'dataset'}`);
        setTimeout(() => {
          jobs.value = jobs.value.filter((j) => j.jobId !== p.jobId);
        }, 3000);
      }
    }
    jobs.value = [...byId.values()];
  }

  function onChanged(next: DatasetMeta[]): void {
    list.value = next;
    loaded.value = true;
  }

  return {
    list,
    loaded,
    samples,
    pending,
    jobs,
    load,
    previewPath,
    dropFiles,
    confirmImport,
    cancelPreview,
    cancelImport,
    remove,
    loadSamples,
    onImportProgress,
    onChanged,
  };
});
