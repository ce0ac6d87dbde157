import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESETS } from '../../shared/presets';
import { useDatasetsStore } from '../../renderer/src/stores/datasets';
import { useExperimentStore } from '../../renderer/src/stores/experiment';
import { parseHash, toHash, useNavStore } from '../../renderer/src/stores/nav';
import { useRunDetailStore } from '../../renderer/src/stores/run-detail';
import { useRunsStore } from '../../renderer/src/stores/runs';
import { startLiveUpdates } from '../../renderer/src/stores/live';
import { installFake, type FakeClient } from './fake-client';
import { MNIST, answerFinishedRun, detail, epochRecord, status, stepRecords, summary } from './fixtures';

let fake: FakeClient;

beforeEach(() => {
  setActivePinia(createPinia());
  window.location.hash = '';
  fake = installFake();
});

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('nav', () => {
  it('round-trips routes through the hash', () => {
    for (const r of [
      { view: 'run' as const, runId: 'a b' },
      { view: 'compare' as const, ids: ['x', 'y'] },
      { view: 'system' as const },
    ]) {
      expect(parseHash(toHash(r))).toEqual(r);
    }
    expect(parseHash('#/nonsense')).toEqual({ view: 'runs' });
  });

  it('go() updates the route and the address', () => {
    const nav = useNavStore();
    nav.go({ view: 'run', runId: 'r1' });
    expect(window.location.hash).toBe('#/runs/r1');
    expect(nav.view).toBe('run');
  });
});

describe('runs store', () => {
  it('sorts, filters and applies live status, progress and metrics deltas', async () => {
    fake.answer('lab:runs.list', [
      summary('a', { bestTestAcc: 0.9, method: 'kd' }),
      summary('bb', { bestTestAcc: 0.95 }),
    ]);
    const runs = useRunsStore();
    await runs.load();
    runs.setSort('best');
    expect(runs.visible.map((r) => r.id)).toEqual(['bb', 'a']);
    runs.setSort('best');
    expect(runs.visible.map((r) => r.id)).toEqual(['a', 'bb']);
    runs.filterText = 'kd';
    expect(runs.visible.map((r) => r.id)).toEqual(['a']);
    runs.filterText = '';

    runs.onStatus([status('a', 'running', 1)]);
    expect(runs.running).toBe(1);
    runs.onProgress([
      {
        runId: 'a',
        phase: 'training',
        epoch: 2,
        totalEpochs: 2,
        step: 3,
        stepsPerEpoch: 10,
        samplesPerSec: 100,
        etaSec: 5,
      },
    ]);
    expect(runs.progress.get('a')?.step).toBe(3);
    runs.onMetrics([{ id: 'a', records: [epochRecord(2, 0.97)] }]);
    expect(runs.byId.get('a')?.lastTestAcc).toBe(0.97);
    expect(runs.byId.get('a')?.bestTestAcc).toBe(0.97);
    runs.onStatus([status('a', 'completed', 2)]);
    expect(runs.progress.has('a')).toBe(false);
  });

  it('reloads the list when a status names an unknown run', async () => {
    fake.answer('lab:runs.list', []);
    const runs = useRunsStore();
    await runs.load();
    fake.answer('lab:runs.list', [summary('new')]);
    runs.onStatus([status('new', 'queued')]);
    await new Promise((r) => setTimeout(r, 350));
    expect(runs.rows.map((r) => r.id)).toEqual(['new']);
  });

  it('exports through a download URL in web mode', async () => {
    fake.answer('lab:runs.export', { path: '/lab/tmp/run.zip', bytes: 4 });
    const clicked: string[] = [];
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      clicked.push(this.getAttribute('href') ?? '');
    };
    await useRunsStore().exportRun('a', 'zip');
    expect(clicked).toEqual(['/files?path=/lab/tmp/run.zip']);
  });
});

describe('run detail store', () => {
  beforeEach(() => {
    answerFinishedRun(fake, { graph: { size: 2, values: [0, 1, 1, 0] } });
  });

  it('opens a run: detail, all metric pages, every probe snapshot', async () => {
    const d = useRunDetailStore();
    await d.open('r1');
    expect(d.metrics).toHaveLength(11);
    expect(d.probeEpochs).toEqual([0, 1]);
    expect(d.snapshots.size).toBe(2);
    expect(d.epoch).toBe(1);
    expect(d.taps).toEqual(['block1', 'hidden']);
    expect(d.currentTap).toBe('hidden');
  });

  it('appends live metrics without duplicates and follows new probes until the user picks one', async () => {
    const d = useRunDetailStore();
    await d.open('r1');
    d.onMetrics([
      { id: 'r1', records: [epochRecord(1, 0.9), ...stepRecords(2).slice(0, 2)] },
      { id: 'other', records: stepRecords(1) },
    ]);
    expect(d.metrics).toHaveLength(13);
    d.onProbe([{ id: 'r1', epoch: 2 }]);
    await flush();
    expect(d.epoch).toBe(2);
    d.setCursor(0);
    d.onProbe([{ id: 'r1', epoch: 3 }]);
    await flush();
    expect(d.epoch).toBe(0);
    d.setCursor(3);
    expect(d.cursor).toBeNull();
  });

  it('keeps metrics in step order when pushed lines overtake the first pull', async () => {
    const d = useRunDetailStore();
    fake.answer('lab:runs.metrics', (p) => {
      // The run streams while the dashboard opens: newer lines arrive before the file's older ones.
      if (p.from === 0) d.onMetrics([{ id: 'r1', records: stepRecords(2).slice(0, 2) }]);
      return p.from === 0
        ? { records: [...stepRecords(1), epochRecord(1, 0.9), ...stepRecords(2).slice(0, 2)], next: 13 }
        : { records: [], next: 13 };
    });
    await d.open('r1');
    expect(d.metrics).toHaveLength(13);
    expect(d.metrics.map((r) => `${r.type}${r.step}`)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `step${i + 1}`),
      'epoch10',
      'step11',
      'step12',
    ]);
  });

  it('pulls new metrics lines by offset while the run trains, at most once a second', async () => {
    const d = useRunDetailStore();
    await d.open('r1');
    vi.useFakeTimers();
    try {
      const progress = {
        runId: 'r1',
        phase: 'training' as const,
        epoch: 2,
        totalEpochs: 2,
        step: 1,
        stepsPerEpoch: 10,
        samplesPerSec: 1,
        etaSec: 1,
      };
      fake.answer('lab:runs.metrics', (p) =>
        p.from === 11 ? { records: stepRecords(2).slice(0, 3), next: 14 } : { records: [], next: 14 },
      );
      d.onProgress([progress]);
      d.onProgress([progress]);
      await vi.advanceTimersByTimeAsync(1100);
      expect(fake.calls.filter((c) => c.channel === 'lab:runs.metrics').map((c) => c.payload)).toEqual([
        { id: 'r1', from: 0 },
        { id: 'r1', from: 11 },
        { id: 'r1', from: 11 },
        { id: 'r1', from: 14 },
      ]);
      expect(d.metrics).toHaveLength(14);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a pull pending for the run shown before does not hold back the next run', async () => {
    const d = useRunDetailStore();
    await d.open('r1');
    vi.useFakeTimers();
    try {
      const progress = (runId: string) => ({
        runId,
        phase: 'training' as const,
        epoch: 2,
        totalEpochs: 2,
        step: 1,
        stepsPerEpoch: 10,
        samplesPerSec: 1,
        etaSec: 1,
      });
      d.onProgress([progress('r1')]);
      await d.open('r2');
      d.onProgress([progress('r2')]);
      await vi.advanceTimersByTimeAsync(1100);
      expect(fake.calls.filter((c) => c.channel === 'lab:runs.metrics').map((c) => c.payload)).toEqual([
        { id: 'r1', from: 0 },
        { id: 'r1', from: 11 },
        { id: 'r2', from: 0 },
        { id: 'r2', from: 11 },
        { id: 'r2', from: 11 },
      ]);
      d.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fetches the report when the run ends', async () => {
    fake.answer('lab:runs.get', detail('r1', { status: status('r1', 'running', 1) }));
    const d = useRunDetailStore();
    await d.open('r1');
    expect(d.isLive).toBe(true);
    fake.answer('lab:runs.get', {
      ...detail('r1'),
      report: {
        runId: 'r1',
        kind: 'train',
        method: 'ce',
        testAcc: 0.98,
        bestTestAcc: 0.98,
        testLoss: 0.1,
        seconds: 9,
        parameters: 5,
        metrics: {},
        tables: [],
      },
    });
    d.onStatus([status('r1', 'completed', 2)]);
    await flush();
    expect(d.isLive).toBe(false);
    expect(d.detail?.report?.testAcc).toBe(0.98);
  });

  it('caches graphs', async () => {
    const d = useRunDetailStore();
    await d.open('r1');
    await d.graph('probes/e1/hidden.npy');
    await d.graph('probes/e1/hidden.npy');
    expect(fake.channels().filter((c) => c === 'lab:runs.graph')).toHaveLength(1);
  });
});

describe('experiment store', () => {
  it('starts the default quick preset on the built-in MNIST and opens its dashboard', async () => {
    fake.answer('lab:runs.start', { id: 'r9' });
    const x = useExperimentStore();
    expect(x.presetId).toBe(PRESETS[0]!.id);
    expect(x.draft.training).toMatchObject({ epochs: 2 });
    expect(x.canStart).toBe(true);
    expect(await x.start()).toBe('r9');
    expect(fake.calls.at(-1)).toMatchObject({
      channel: 'lab:runs.start',
      payload: { spec: { kind: 'train', dataset: 'mnist' } },
    });
    expect(useNavStore().route).toEqual({ view: 'run', runId: 'r9' });
  });

  it('reports invalid fields by path and refuses to start', async () => {
    const x = useExperimentStore();
    x.setField(['training', 'lr'], -1);
    expect(x.issues.map((i) => i.path)).toContain('training.lr');
    expect(x.canStart).toBe(false);
    expect(await x.start()).toBeNull();
    x.setField(['training', 'lr'], undefined);
    expect(x.issues).toEqual([]);
  });

  it('needs a teacher for distillation and keeps the chosen dataset', () => {
    const x = useExperimentStore();
    x.chooseDataset('mnist-2');
    x.chooseKind('distill');
    expect(x.draft.dataset).toBe('mnist-2');
    expect(x.teacherMissing).toBe(true);
    expect(x.canStart).toBe(false);
    x.chooseTeacher('t1');
    expect(x.teacherRun).toBe('t1');
    expect(x.canStart).toBe(true);
    x.setLgg('k', 5);
    expect(x.lggOptions.k).toBe(5);
  });

  it('starts a study of methods × seeds', async () => {
    fake.answer('lab:runs.startStudy', { ids: ['a', 'b'] });
    const x = useExperimentStore();
    x.chooseKind('robust');
    x.study.enabled = true;
    x.study.methods = ['vanilla', 'laplacian'];
    x.study.seeds = '1, 2';
    await x.start();
    expect(fake.calls.at(-1)?.payload).toMatchObject({
      study: { kind: 'study', methods: ['vanilla', 'laplacian'], seeds: [1, 2] },
    });
  });
});

describe('datasets store and live events', () => {
  it('stages dropped files, previews them and imports with the edited name', async () => {
    fake.answer('lab:datasets.preview', {
      format: 'idx',
      name: 'mnist',
      kind: 'images',
      shape: [28, 28, 1],
      dtype: 'uint8',
      classNames: MNIST.classNames,
      splits: {},
      samples: [],
      warnings: [],
    });
    fake.answer('lab:datasets.import', { jobId: 'j1' });
    const ds = useDatasetsStore();
    await ds.dropFiles([
      { file: new File(['x'], 'train-images-idx3-ubyte'), relativePath: 'train-images-idx3-ubyte' },
    ]);
    expect(ds.pending?.phase).toBe('preview');
    ds.pending!.name = 'My MNIST';
    await ds.confirmImport();
    expect(fake.calls.at(-1)).toEqual({
      channel: 'lab:datasets.import',
      payload: { path: '/tmp/lab/tmp/uploads/b1', name: 'My MNIST' },
    });
    expect(ds.jobs.map((j) => j.jobId)).toEqual(['j1']);
  });

  it('routes pushed events to the stores', () => {
    const stop = startLiveUpdates();
    fake.emit('lab:datasets.onChanged', [MNIST]);
    expect(useDatasetsStore().list).toEqual([MNIST]);
    fake.emit('lab:datasets.onImportProgress', [
      { jobId: 'j2', phase: 'writing', fraction: 0.5, done: 1, total: 2 },
    ]);
    expect(useDatasetsStore().jobs[0]?.fraction).toBe(0.5);
    fake.emit('lab:shell.onCommand', { type: 'navigate', view: 'system' });
    expect(useNavStore().view).toBe('system');
    stop();
  });
});
