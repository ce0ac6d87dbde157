import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ComparedRun } from '../../../shared/charts';
import type { EpochRecord, StepRecord } from '../../../shared/run-types';
import { useApi } from '../api';
import { useNotifyStore } from './notify';

export type { ComparedRun };

/** Runs side by side: fetched once per selection, kept shallow. */
export const useCompareStore = defineStore('compare', () => {
  const ids = ref<string[]>([]);
  const runs = shallowRef<ComparedRun[]>([]);
  const loading = ref(false);
  let ticket = 0;

  async function loadOne(id: string): Promise<ComparedRun | null> {
    const api = useApi();
    try {
      const detail = await api.request('lab:runs.get', { id });
      const epochs: EpochRecord[] = [];
      const steps: StepRecord[] = [];
      for (let from = 0, i = 0; i < 1000; i++) {
        const page = await api.request('lab:runs.metrics', { id, from });
        for (const r of page.records) {
          if (r.type === 'epoch') epochs.push(r);
          else steps.push(r);
        }
        if (page.records.length === 0 || page.next <= from) break;
        from = page.next;
      }
      const { epochs: probeEpochs } = await api.request('lab:runs.probes', { id });
      const last = probeEpochs[probeEpochs.length - 1];
      const lastProbe =
        last === undefined ? undefined : await api.request('lab:runs.probe', { id, epoch: last });
      return { id, detail, epochs, steps, ...(lastProbe ? { lastProbe } : {}) };
    } catch (e) {
      useNotifyStore().error(e, `Compare ${id}`);
      return null;
    }
  }

  async function load(next: string[]): Promise<void> {
    const mine = ++ticket;
    ids.value = next;
    loading.value = true;
    const loaded = await Promise.all(next.map(loadOne));
    if (mine !== ticket) return;
    runs.value = loaded.filter((r): r is ComparedRun => r !== null);
    loading.value = false;
  }

  return { ids, runs, loading, load };
});
