import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  SlurmOptionsSchema,
  type ClusterInfo,
  type ExecutorChoiceInput,
  type SlurmOptions,
} from '../../../shared/executor';
import { useApi } from '../api';
import { useNotifyStore } from './notify';

/** The Slurm options as the form edits them: text fields, '' for unset. */
export interface SlurmFormFields {
  partition: string;
  account: string;
  qos: string;
  time: string;
  mem: string;
  cpusPerTask: string;
  gpusPerTask: string;
  maxParallel: string;
  /** One `--name=value` per line. */
  sbatchArgs: string;
}

/** Empty form fields. */
export function emptyFields(): SlurmFormFields {
  return {
    partition: '',
    account: '',
    qos: '',
    time: '',
    mem: '',
    cpusPerTask: '',
    gpusPerTask: '',
    maxParallel: '',
    sbatchArgs: '',
  };
}

/** Form fields showing saved options. */
export function fieldsOf(o: SlurmOptions): SlurmFormFields {
  const t = (v: string | number | undefined): string => (v === undefined ? '' : String(v));
  return {
    partition: t(o.partition),
    account: t(o.account),
    qos: t(o.qos),
    time: t(o.time),
    mem: t(o.mem),
    cpusPerTask: t(o.cpusPerTask),
    gpusPerTask: t(o.gpusPerTask),
    maxParallel: t(o.maxParallel),
    sbatchArgs: o.sbatchArgs.join('\n'),
  };
}

/** Validated options of form fields, or the problems by field. */
export function optionsOf(
  f: SlurmFormFields,
): { ok: true; value: SlurmOptions } | { ok: false; issues: Record<string, string> } {
  const text = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());
  const num = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));
  const r = SlurmOptionsSchema.safeParse({
    partition: text(f.partition),
    account: text(f.account),
    qos: text(f.qos),
    time: text(f.time),
    mem: text(f.mem),
    cpusPerTask: num(f.cpusPerTask),
    gpusPerTask: num(f.gpusPerTask),
    maxParallel: num(f.maxParallel),
    sbatchArgs: f.sbatchArgs
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  });
  if (r.success) return { ok: true, value: r.data };
  const issues: Record<string, string> = {};
  for (const i of r.error.issues) issues[String(i.path[0] ?? '')] ??= i.message;
  return { ok: false, issues };
}

/**
 * Where runs of the New-experiment form execute ("Run on: this machine | Slurm cluster"), the
 * Slurm options of the submission with a preview of its batch script, and the cluster settings.
 */
export const useClusterStore = defineStore('cluster', () => {
  const info = ref<ClusterInfo | null>(null);
  const loadError = ref<string | null>(null);
  const runOn = ref<'local' | 'slurm'>('local');
  const fields = ref<SlurmFormFields>(emptyFields());
  const dryRun = ref(false);
  const preview = ref<{ script: string; command: string; file: string } | null>(null);
  const previewError = ref<string | null>(null);
  let previewTimer: ReturnType<typeof setTimeout> | null = null;
  let previewSeq = 0;

  const parsed = computed(() => optionsOf(fields.value));
  const issues = computed(() => (parsed.value.ok ? {} : parsed.value.issues));
  /** The executor of a start request; undefined for this machine. */
  const executor = computed<ExecutorChoiceInput | undefined>(() =>
    runOn.value === 'slurm' && parsed.value.ok
      ? { kind: 'slurm', slurm: parsed.value.value, dryRun: dryRun.value }
      : undefined,
  );
  const ready = computed(() => runOn.value === 'local' || parsed.value.ok);

  async function load(): Promise<void> {
    try {
      info.value = await useApi().request('lab:cluster.info', {});
      loadError.value = null;
    } catch (e) {
      loadError.value = e instanceof Error ? e.message : String(e);
    }
  }

  /** Asks for the batch script of what the form would submit (debounced). */
  function schedulePreview(payload: { study: unknown } | { spec: unknown }): void {
    if (previewTimer) clearTimeout(previewTimer);
    previewTimer = setTimeout(() => {
      previewTimer = null;
      const seq = ++previewSeq;
      if (!parsed.value.ok) {
        previewError.value = 'Fix the Slurm options above to see the script.';
        return;
      }
      useApi()
        .request('lab:cluster.preview', { ...payload, slurm: parsed.value.value })
        .then(
          (p) => {
            if (seq !== previewSeq) return;
            preview.value = p;
            previewError.value = null;
          },
          (e: unknown) => {
            if (seq !== previewSeq) return;
            previewError.value = e instanceof Error ? e.message : String(e);
          },
        );
    }, 250);
  }

  /** Saves the form's options (or given settings) as the cluster defaults. */
  async function saveDefaults(next?: ClusterInfo['settings']): Promise<boolean> {
    const current = info.value?.settings;
    if (!current) return false;
    let settings = next;
    if (!settings) {
      if (!parsed.value.ok) return false;
      settings = { ...current, defaults: parsed.value.value };
    }
    try {
      info.value = await useApi().request('lab:cluster.saveSettings', { settings });
      useNotifyStore().info('Cluster defaults saved');
      return true;
    } catch (e) {
      useNotifyStore().error(e, 'Cluster settings');
      return false;
    }
  }

  return {
    info,
    loadError,
    runOn,
    fields,
    dryRun,
    preview,
    previewError,
    parsed,
    issues,
    executor,
    ready,
    load,
    schedulePreview,
    saveDefaults,
  };
});
