import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { PreviewResult } from '../../../shared/engine-protocol';
import type { LggOptions } from '../../../shared/lgg-options';
import { useApi } from '../api';

const DEBOUNCE_MS = 350;

/**
 * The graph-construction playground: the LGG of one class-sorted batch under the chosen options.
 * Requests are debounced while options change, and a stale reply never overwrites a newer one.
 */
export const usePreviewStore = defineStore('lgg-preview', () => {
  const result = shallowRef<PreviewResult | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const perClass = ref(8);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest = 0;

  async function run(dataset: string, lgg: LggOptions): Promise<void> {
    const ticket = ++latest;
    loading.value = true;
    try {
      const r = await useApi().request('lab:lgg.preview', { dataset, perClass: perClass.value, lgg });
      if (ticket !== latest) return;
      result.value = r;
      error.value = null;
    } catch (e) {
      if (ticket === latest) error.value = e instanceof Error ? e.message : String(e);
    } finally {
      if (ticket === latest) loading.value = false;
    }
  }

  function schedule(dataset: string, lgg: LggOptions): void {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void run(dataset, { ...lgg });
    }, DEBOUNCE_MS);
  }

  /** Drops a pending request (the screen showing the preview went away). */
  function cancel(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  return { result, loading, error, perClass, run, schedule, cancel };
});
