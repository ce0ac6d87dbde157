import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { GKD_LGG, LggOptionsSchema, ROBUST_LGG, type LggOptions } from '../../../shared/lgg-options';
import { PRESETS, TEACHER_PLACEHOLDER, presetSpec, type PresetInfo } from '../../../shared/presets';
import { parseExperimentSpec, type ExperimentKind, type SpecIssue } from '../../../shared/spec';
import { useApi } from '../api';
import { useClusterStore } from './cluster';
import { SCHEMA_OF_KIND } from '../form/groups';
import { getAt, setAt } from '../form/schema-fields';
import { useNavStore } from './nav';
import { useNotifyStore } from './notify';
import { usePreviewStore } from './lgg-preview';

type Draft = Record<string, unknown>;

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** A fully defaulted spec of a kind without a preset (distillation still needs its teacher). */
function defaultsOf(kind: ExperimentKind, dataset: string): Draft {
  const r = SCHEMA_OF_KIND[kind].safeParse({ kind, dataset, teacher: { run: TEACHER_PLACEHOLDER } });
  return r.success ? clone(r.data as Draft) : { kind, dataset };
}

/** The New-experiment form: kind → preset → dataset, then the spec draft and its validation. */
export const useExperimentStore = defineStore('experiment', () => {
  const presets = ref<PresetInfo[]>([...PRESETS]);
  const kind = ref<ExperimentKind>('train');
  const presetId = ref<string | null>(PRESETS.find((p) => p.kind === 'train')?.id ?? null);
  const dataset = ref('mnist');
  const draft = ref<Draft>(defaultsOf('train', 'mnist'));
  const playgroundLgg = ref<LggOptions>({ ...GKD_LGG });
  const study = ref({ enabled: false, methods: [] as string[], seeds: '0, 1, 2', name: '' });
  const starting = ref(false);
  /** Why the last start failed (shown beside the Start button until the next try). */
  const startError = ref<string | null>(null);
  const notify = useNotifyStore();
  const cluster = useClusterStore();

  const kindPresets = computed(() => presets.value.filter((p) => p.kind === kind.value));
  const preset = computed(() => presets.value.find((p) => p.id === presetId.value) ?? null);
  const parsed = computed(() => parseExperimentSpec(draft.value));
  const issues = computed<SpecIssue[]>(() =>
    parsed.value.ok
      ? []
      : ((parsed.value.error.details as SpecIssue[] | undefined) ?? [
          { path: '', message: parsed.value.error.message },
        ]),
  );
  const needsTeacher = computed(() => kind.value === 'distill');
  const teacherRun = computed(() => {
    const t = draft.value.teacher as { run?: string } | undefined;
    return t?.run && t.run !== TEACHER_PLACEHOLDER ? t.run : null;
  });
  const teacherMissing = computed(
    () =>
      needsTeacher.value &&
      teacherRun.value === null &&
      !(draft.value.teacher as { checkpoint?: string } | undefined)?.checkpoint,
  );
  /** Why a study cannot start as set (a study without a method would silently run the form's). */
  const studyIssue = computed(() =>
    study.value.enabled && study.value.methods.length === 0
      ? 'Tick at least one method to vary, or switch Vary off.'
      : study.value.enabled && seedsOf(study.value.seeds).length === 0
        ? 'Give at least one seed.'
        : null,
  );
  const canStart = computed(
    () =>
      issues.value.length === 0 &&
      !teacherMissing.value &&
      studyIssue.value === null &&
      !starting.value &&
      cluster.ready,
  );
  /** The graph options the LGG group edits: the GKD loss graph, else a playground. */
  const lggOptions = computed<LggOptions>(() => {
    if (kind.value !== 'distill') return playgroundLgg.value;
    const r = LggOptionsSchema.safeParse(getAt(draft.value, ['gkd', 'lgg']) ?? {});
    return r.success ? r.data : GKD_LGG;
  });

  function applyPreset(p: PresetInfo | null): void {
    const base = p ? clone(presetSpec(p) as unknown as Draft) : defaultsOf(kind.value, dataset.value);
    const teacher = draft.value.teacher;
    base.dataset = dataset.value;
    if (base.kind === 'distill' && teacher) base.teacher = teacher;
    draft.value = base;
    playgroundLgg.value = { ...(kind.value === 'robust' ? ROBUST_LGG : GKD_LGG) };
  }

  // A new kind or preset is a new experiment: a study switched on for the last one does not
  // silently turn its Start into "Start study".
  function resetStudy(): void {
    study.value = { ...study.value, enabled: false, methods: [] };
  }

  function chooseKind(k: ExperimentKind): void {
    kind.value = k;
    presetId.value = presets.value.find((p) => p.kind === k && p.tier === 'quick')?.id ?? null;
    resetStudy();
    applyPreset(preset.value);
  }

  function choosePreset(id: string | null): void {
    presetId.value = id;
    resetStudy();
    applyPreset(preset.value);
  }

  /** Switches the study on (the form's method ticked to start with) or off. */
  function setStudy(on: boolean): void {
    const method = typeof draft.value.method === 'string' ? draft.value.method : undefined;
    study.value = {
      ...study.value,
      enabled: on,
      methods: on && study.value.methods.length === 0 && method ? [method] : study.value.methods,
    };
  }

  function chooseDataset(id: string): void {
    dataset.value = id;
    draft.value = { ...draft.value, dataset: id };
  }

  function setField(path: readonly string[], value: unknown): void {
    const next = clone(draft.value);
    setAt(next, path, value);
    draft.value = next;
  }

  function chooseTeacher(runId: string | null): void {
    setField(['teacher'], { run: runId ?? TEACHER_PLACEHOLDER });
  }

  function setLgg(key: keyof LggOptions, value: unknown): void {
    if (kind.value === 'distill') setField(['gkd', 'lgg', key], value);
    else playgroundLgg.value = { ...playgroundLgg.value, [key]: value };
  }

  async function loadPresets(): Promise<void> {
    try {
      presets.value = await useApi().request('lab:presets.list', {});
    } catch {
      // The built-in list is already there.
    }
  }

  function seedsOf(text: string): number[] {
    return text
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n >= 0);
  }

  /** The study (or single run) Start would create, as the requests take it. */
  const submission = computed<{ study: unknown } | { spec: unknown }>(() =>
    study.value.enabled
      ? {
          study: {
            kind: 'study',
            name: study.value.name.trim() || `${kind.value} study`,
            base: draft.value,
            methods: study.value.methods,
            seeds: seedsOf(study.value.seeds),
          },
        }
      : { spec: draft.value },
  );

  /** Starts the run (or the study) here or on Slurm, and opens its dashboard (the runs table for a study). */
  async function start(): Promise<string | null> {
    if (!canStart.value) return null;
    starting.value = true;
    startError.value = null;
    const executor = cluster.executor;
    try {
      const api = useApi();
      const s = submission.value;
      const reply =
        'study' in s
          ? await api.request('lab:runs.startStudy', { study: s.study, ...(executor ? { executor } : {}) })
          : await api
              .request('lab:runs.start', { spec: s.spec, ...(executor ? { executor } : {}) })
              .then((r) => ({ ...r, ids: [r.id] }));
      const sub = reply.submission;
      if (sub?.dryRun) notify.info(`Dry run: ${sub.runs.length} run(s) written; submit with ${sub.command}`);
      else if (sub) notify.info(`Submitted Slurm job ${sub.jobId} (${sub.runs.length} task(s))`);
      else if ('study' in s) notify.info(`Started ${reply.ids.length} runs`);
      if ('study' in s) useNavStore().go({ view: 'runs' });
      else useNavStore().go({ view: 'run', runId: reply.ids[0] ?? '' });
      return reply.ids[0] ?? null;
    } catch (e) {
      // Slurm's refusals (sbatch missing, a partition it rejects, a data folder nodes cannot see)
      // stay beside the button: nothing was left queued, and the options can be fixed in place.
      startError.value = e instanceof Error ? e.message : String(e);
      if (!executor) notify.error(e, 'Start');
      return null;
    } finally {
      starting.value = false;
    }
  }

  applyPreset(preset.value);

  // The live preview follows the dataset and the graph options.
  watch([dataset, lggOptions], () => usePreviewStore().schedule(dataset.value, lggOptions.value), {
    deep: true,
  });

  return {
    presets,
    kind,
    presetId,
    dataset,
    draft,
    study,
    starting,
    startError,
    submission,
    kindPresets,
    preset,
    issues,
    needsTeacher,
    teacherRun,
    teacherMissing,
    canStart,
    studyIssue,
    setStudy,
    lggOptions,
    chooseKind,
    choosePreset,
    chooseDataset,
    setField,
    chooseTeacher,
    setLgg,
    loadPresets,
    start,
  };
});
