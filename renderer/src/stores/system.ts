import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { SystemInfo } from '../../../shared/contract';
import { useApi } from '../api';
import { useNotifyStore } from './notify';

/** Backend, versions and data folder (the System screen and the sidebar's queue). */
export const useSystemStore = defineStore('system', () => {
  const info = ref<SystemInfo | null>(null);
  const loading = ref(false);
  const connected = ref(true);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      info.value = await useApi().request('lab:system.info', {});
      error.value = null;
    } catch (e) {
      // The System screen shows this itself; elsewhere a toast tells.
      error.value = e instanceof Error ? e.message : String(e);
      useNotifyStore().error(e, 'System information');
    } finally {
      loading.value = false;
    }
  }

  async function openDataFolder(): Promise<boolean> {
    if (!info.value) return false;
    const r = await useApi().request('lab:shell.openPath', { path: info.value.dataDir });
    return r.opened;
  }

  return { info, loading, connected, error, load, openDataFolder };
});
