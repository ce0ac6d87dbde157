import { createTestingPinia } from '@pinia/testing';
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runReference } from '../../shared/paper-reference';
import { PRESETS } from '../../shared/presets';
import ChartPanel from '../../renderer/src/components/ChartPanel.vue';
import RunsTable from '../../renderer/src/components/RunsTable.vue';
import { useDatasetsStore } from '../../renderer/src/stores/datasets';
import { useRunDetailStore } from '../../renderer/src/stores/run-detail';
import { useRunsStore } from '../../renderer/src/stores/runs';
import DatasetsView from '../../renderer/src/views/DatasetsView.vue';
import NewExperimentView from '../../renderer/src/views/NewExperimentView.vue';
import RunDashboardView from '../../renderer/src/views/RunDashboardView.vue';
import SystemView from '../../renderer/src/views/SystemView.vue';
import { installFake, type FakeClient } from './fake-client';
import { MNIST, answerFinishedRun, detail, epochRecord, stepRecords, summary } from './fixtures';

let fake: FakeClient;

// Unmounting cancels debounced requests a test's components scheduled, so none leaks into the next.
enableAutoUnmount(afterEach);

beforeEach(() => {
  window.location.hash = '';
  fake = installFake();
  fake.answer('lab:presets.list', [...PRESETS]).answer('lab:lgg.preview', {
    labels: [0, 1],
    graph: [0, 1, 1, 0],
    sigma1: 2,
    sigma1Pairs: 1,
    sparsity: 0.25,
  });
});

describe('New experiment', () => {
  it('starts the quick MNIST preset with one click once the screen is open', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    useDatasetsStore().list = [MNIST];
    fake.answer('lab:runs.start', { id: 'r1' });
    const w = mount(NewExperimentView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.get('[data-preset="mnist-cnn-quick"]').attributes('aria-pressed')).toBe('true');
    expect(w.get('[data-dataset="mnist"]').attributes('aria-pressed')).toBe('true');
    expect(w.get('[data-estimate="parameters"]').text()).toBe('421,642');
    await w.get('[data-action="start"]').trigger('click');
    await flushPromises();
    expect(fake.channels()).toContain('lab:runs.start');
    expect(window.location.hash).toBe('#/runs/r1');
  });

  it('validates inline and disables Start on an invalid field', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const w = mount(NewExperimentView, { global: { plugins: [pinia] } });
    const lr = w.get('[data-field="training.lr"] input');
    await lr.setValue('-3');
    await lr.trigger('change');
    expect(w.get('[data-field="training.lr"] .issue').text()).toMatch(/>|greater|too small/i);
    expect(w.get('[data-action="start"]').attributes('disabled')).toBeDefined();
    expect(lr.attributes('aria-invalid')).toBe('true');
  });

  it('shows the live LGG preview numbers, debounced', async () => {
    vi.useFakeTimers();
    const pinia = createPinia();
    setActivePinia(pinia);
    const w = mount(NewExperimentView, { global: { plugins: [pinia] } });
    await vi.advanceTimersByTimeAsync(400);
    vi.useRealTimers();
    await flushPromises();
    expect(w.get('[data-stat="sparsity"]').text()).toBe('25.0 %');
    expect(fake.calls.filter((c) => c.channel === 'lab:lgg.preview')).toHaveLength(1);
  });

  it('asks for a teacher for distillation', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    useRunsStore().rows = [summary('t1', { name: 'teacher run' })];
    const w = mount(NewExperimentView, { global: { plugins: [pinia] } });
    await w.get('[data-kind="distill"]').trigger('click');
    expect(w.get('[data-action="start"]').attributes('disabled')).toBeDefined();
    await w.get('#teacher-run').setValue('t1');
    expect(w.get('[data-action="start"]').attributes('disabled')).toBeUndefined();
  });
});

describe('Runs table (with @pinia/testing)', () => {
  it('renders rows and asks the store to sort and select', async () => {
    const w = mount(RunsTable, {
      global: {
        plugins: [
          createTestingPinia({
            createSpy: vi.fn,
            initialState: {
              runs: {
                rows: [
                  summary('a', { bestTestAcc: 0.5 }),
                  summary('b', { status: { ...summary('b').status, state: 'running' } }),
                ],
              },
            },
          }),
        ],
      },
    });
    const runs = useRunsStore();
    expect(w.findAll('tbody tr')).toHaveLength(2);
    expect(w.get('[data-run="b"] .state').text()).toContain('running');
    await w.findAll('th button.sort')[1]!.trigger('click');
    expect(runs.setSort).toHaveBeenCalledWith('name');
    await w.get('[data-run="a"] input[type="checkbox"]').trigger('change');
    expect(runs.toggle).toHaveBeenCalledWith('a');
  });
});

describe('Datasets', () => {
  it('shows the import preview and imports on click', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const ds = useDatasetsStore();
    ds.list = [MNIST];
    ds.pending = {
      phase: 'preview',
      fraction: 1,
      path: '/up/mnist',
      name: 'mnist',
      preview: {
        format: 'idx',
        name: 'mnist',
        kind: 'images',
        shape: [28, 28, 1],
        dtype: 'uint8',
        classNames: MNIST.classNames,
        splits: { train: { count: 2, countsPerClass: [1, 1] } },
        samples: [],
        warnings: ['w1'],
      },
    };
    fake
      .answer('lab:datasets.import', { jobId: 'j' })
      .answer('lab:datasets.samples', { height: 1, width: 1, channels: 1, items: [] });
    const w = mount(DatasetsView, { global: { plugins: [pinia] } });
    expect(w.text()).toContain('Import IDX dataset');
    expect(w.text()).toContain('w1');
    expect(w.find('[data-dataset="mnist"]').exists()).toBe(true);
    await w.get('[data-action="import"]').trigger('click');
    await flushPromises();
    expect(fake.calls.find((c) => c.channel === 'lab:datasets.import')?.payload).toEqual({
      path: '/up/mnist',
      name: 'mnist',
    });
  });
});

describe('Run dashboard', () => {
  it('loads the run and lays out the panels for its kind', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    answerFinishedRun(fake);
    const w = mount(RunDashboardView, { props: { runId: 'r1' }, global: { plugins: [pinia] } });
    await flushPromises();
    await flushPromises();
    expect(w.get('[data-run-state]').text()).toBe('completed');
    expect(w.text()).toContain('Loss and accuracy');
    expect(w.text()).toContain('Smoothness profile');
    expect(w.get('[data-epoch]').text()).toBe('1');
    await w.get('[data-control="epoch"]').setValue('0');
    expect(w.get('[data-epoch]').text()).toBe('0');
  });
});

describe('Run dashboard of a paper-preset run', () => {
  it('puts the paper’s numbers beside the run’s in the report', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const metrics = { clean: 0.85, 'pgd-any-iterate@0.01×20': 0.04 };
    answerFinishedRun(fake).answer('lab:runs.get', {
      ...detail('r1'),
      report: {
        runId: 'r1',
        kind: 'robust',
        method: 'vanilla',
        testAcc: 0.85,
        bestTestAcc: 0.85,
        testLoss: 0.4,
        seconds: 9,
        parameters: 5,
        metrics,
        tables: [],
        reference: runReference('cifar10-robust-paper', 'vanilla', { ...metrics, testAcc: 0.85 })!,
      },
    });
    const w = mount(RunDashboardView, { props: { runId: 'r1' }, global: { plugins: [pinia] } });
    await flushPromises();
    await flushPromises();
    const panel = w.get('[data-report="reference"]');
    expect(panel.text()).toContain('The paper beside this run (cifar10-robust-paper)');
    const rows = panel.findAll('tbody tr').map((r) => r.findAll('td').map((c) => c.text()));
    expect(rows[0]!.slice(0, 4)).toEqual(['clean', 'clean', '85.00', '88.10']);
    expect(rows.find((r) => r[0] === 'pgd-any-iterate')!.slice(2, 4)).toEqual(['4.00', '1.20']);
    expect(rows.find((r) => r[0] === 'gaussian')![2]).toBe('—');
  });
});

describe('Run dashboard while the run streams', () => {
  it('merges new metrics into the lr and scalar charts instead of rebuilding them', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    answerFinishedRun(fake, { extra: { knn: 0.5 } }).answer('lab:runs.probes', { epochs: [] });
    const w = mount(RunDashboardView, { props: { runId: 'r1' }, global: { plugins: [pinia] } });
    await flushPromises();
    const panel = (title: string) => w.findAllComponents(ChartPanel).find((c) => c.props('title') === title)!;
    const seriesData = (title: string) =>
      (panel(title).props('patch') as { series: { data: unknown[] }[] }).series[0]!.data.length;
    const lrBase = panel('Learning rate').props('option');
    const scalarsBase = panel('Other metrics').props('option');
    expect(seriesData('Learning rate')).toBe(10);
    expect(seriesData('Other metrics')).toBe(1);
    useRunDetailStore().onMetrics([
      { id: 'r1', records: [...stepRecords(2), epochRecord(2, 0.95, { knn: 0.6 })] },
    ]);
    await flushPromises();
    expect(seriesData('Learning rate')).toBe(20);
    expect(seriesData('Other metrics')).toBe(2);
    expect(panel('Learning rate').props('option')).toBe(lrBase);
    expect(panel('Other metrics').props('option')).toBe(scalarsBase);
  });
});

describe('System and chart export', () => {
  it('shows the backend with the fallbacks and their fixes', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    fake.answer('lab:system.info', {
      backend: {
        backend: 'wasm',
        tfjsVersion: '4.22.0',
        nodeVersion: 'v22',
        threads: 2,
        fallbacks: [{ backend: 'tensorflow', reason: 'not installed', fix: 'npm i x' }],
        customKernels: [],
        platform: 'linux x64',
        cpus: 2,
      },
      dataDir: '/lab',
      version: '0.1.0',
      mode: 'web',
      queue: { running: 1, queued: 0 },
      threads: { cores: 8, inUse: 6, maxConcurrentRuns: 2, policy: 'the queue policy' },
    });
    const w = mount(SystemView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.get('[data-backend]').text()).toBe('wasm');
    expect(w.get('[data-threads]').text()).toBe('2 per run');
    expect(w.get('[data-thread-policy]').text()).toMatch(
      /6 of 8 cores training now · 2 runs at once · the queue policy/,
    );
    expect(w.text()).toContain('npm i x');
    expect(w.get('[data-datadir]').text()).toBe('/lab');
  });

  it('names the WebGPU adapter, says when it is a software one, and shows its limits', async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    fake.answer('lab:system.info', {
      backend: {
        backend: 'webgpu',
        tfjsVersion: '4.22.0',
        nodeVersion: 'v22',
        threads: 1,
        gpu: 'llvmpipe',
        adapter: {
          vendor: 'mesa',
          architecture: 'software',
          device: 'llvmpipe',
          description: 'llvmpipe: Mesa 25.0.7',
          isFallback: true,
          limits: {
            maxBufferSize: 2 ** 32 - 1,
            maxStorageBufferBindingSize: 2 ** 27,
            maxComputeWorkgroupStorageSize: 32768,
            maxComputeInvocationsPerWorkgroup: 1024,
            maxComputeWorkgroupsPerDimension: 65535,
          },
        },
        fallbacks: [],
        customKernels: ['Transpose'],
        platform: 'linux x64',
        cpus: 2,
      },
      dataDir: '/lab',
      version: '0.1.0',
      mode: 'web',
      queue: { running: 0, queued: 0 },
      threads: { cores: 2, inUse: 0, maxConcurrentRuns: 1, policy: 'the queue policy' },
    });
    const w = mount(SystemView, { global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.get('[data-backend]').text()).toBe('webgpu');
    expect(w.get('[data-adapter]').text()).toContain('mesa software: llvmpipe: Mesa 25.0.7 (software)');
    expect(w.get('[data-adapter]').text()).toContain('a CPU pretending to be a GPU');
    expect(w.text()).toContain('per kernel binding 128 MiB');
    expect(w.text()).toContain('workgroup memory 32 KiB');
  });

  it('exports a chart’s data as CSV', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = (b: Blob) => (created.push(b), 'blob:x');
    URL.revokeObjectURL = () => undefined;
    HTMLAnchorElement.prototype.click = () => undefined;
    const w = mount(ChartPanel, { props: { title: 'T', option: {}, csv: () => [['a'], [1]] } });
    await w
      .findAll('button')
      .find((b) => b.text() === 'CSV')!
      .trigger('click');
    expect(await created[0]!.text()).toBe('a\r\n1\r\n');
  });
});
