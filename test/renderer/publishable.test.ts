// The dashboard, Compare and form defects of issue #13, each pinned by the component or store it
// lives in (happy-dom; charts are checked on their option objects and their SVG export).
import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunReport } from '../../shared/run-types';
import ChartPanel from '../../renderer/src/components/ChartPanel.vue';
import ImportPreview from '../../renderer/src/components/ImportPreview.vue';
import LggPlayground from '../../renderer/src/components/LggPlayground.vue';
import ReportPanel from '../../renderer/src/components/ReportPanel.vue';
import RunHeader from '../../renderer/src/components/RunHeader.vue';
import SpecForm from '../../renderer/src/components/SpecForm.vue';
import ToastList from '../../renderer/src/components/ToastList.vue';
import { useDatasetsStore } from '../../renderer/src/stores/datasets';
import { useExperimentStore } from '../../renderer/src/stores/experiment';
import { forDisplay, useNotifyStore } from '../../renderer/src/stores/notify';
import { useRunDetailStore } from '../../renderer/src/stores/run-detail';
import { useRunsStore } from '../../renderer/src/stores/runs';
import CompareView from '../../renderer/src/views/CompareView.vue';
import { installFormFake, type FakeClient } from './fake-client';
import { MNIST, detail, epochRecord, snapshot, stepRecords, summary } from './fixtures';

let fake: FakeClient;
enableAutoUnmount(afterEach);

beforeEach(() => {
  setActivePinia(createPinia());
  window.location.hash = '';
  fake = installFormFake();
});

function report(o: Partial<RunReport> = {}): RunReport {
  return {
    runId: 'r1',
    kind: 'distill',
    method: 'gkd',
    testAcc: 0.9596,
    bestTestAcc: 0.9601,
    testLoss: 0.13,
    seconds: 193,
    parameters: 26474,
    metrics: { acc: 0.9596, teacherAcc: 0.9766, agreement: 0.9345, 'gkd.pair0': 0.0026 },
    tables: [],
    ...o,
  };
}

describe('run header', () => {
  it('shows a cancelled run’s clock duration and where its bar stopped ("0 s" and an empty bar)', async () => {
    const store = useRunDetailStore();
    const d = detail('r1', {
      seconds: 0,
      status: {
        id: 'r1',
        state: 'cancelled',
        createdAt: '2026-01-01T10:00:00Z',
        updatedAt: '2026-01-01T10:03:13Z',
        startedAt: '2026-01-01T10:00:00Z',
        endedAt: '2026-01-01T10:03:13Z',
        epoch: 0,
        totalEpochs: 2,
        stepsPerEpoch: 20,
      },
    });
    store.detail = d;
    store.metrics = stepRecords(1);
    const w = mount(RunHeader);
    await flushPromises();
    expect(w.get('[data-duration]').text()).toBe('3 min 13 s');
    expect(Number(w.get('[role="progressbar"]').attributes('aria-valuenow'))).toBe(25);
  });

  it('says what a running run does while it evaluates, without step 0/0, 0 img/s or ETA 0 s', async () => {
    const store = useRunDetailStore();
    store.runId = 'r1';
    store.detail = detail('r1', {
      seconds: 0,
      status: {
        ...summary('r1').status,
        state: 'running',
        startedAt: new Date(Date.now() - 5000).toISOString(),
      },
    });
    useRunsStore().onProgress([
      {
        runId: 'r1',
        phase: 'evaluating',
        epoch: 2,
        totalEpochs: 4,
        step: 0,
        stepsPerEpoch: 0,
        samplesPerSec: 0,
        etaSec: 0,
      },
    ]);
    const w = mount(RunHeader);
    await flushPromises();
    expect(w.get('[data-progress-text]').text()).toBe('evaluating · epoch 2/4');
    expect(w.get('[data-duration]').text()).toMatch(/^[45] s$/);
    expect(Number(w.get('[role="progressbar"]').attributes('aria-valuenow'))).toBe(50);
  });
});

describe('final evaluation and report tables', () => {
  it('names metrics and shows fractions in % (raw keys acc, teacherAcc, gkd.pair0 mixed % and fractions)', async () => {
    useRunDetailStore().detail = { ...detail('r1'), report: report() };
    const w = mount(ReportPanel);
    await flushPromises();
    const text = w.get('[data-panel="final"]').text();
    for (const raw of ['teacherAcc', 'gkd.pair0', 'acc ']) expect(text).not.toContain(raw);
    expect(w.get('[data-report="agreement"]').text()).toBe('93.45 %');
    expect(w.get('[data-report="teacherAcc"]').text()).toBe('97.66 %');
    expect(w.get('[data-report="parameters"]').text()).toBe('26,474');
    expect(text).toContain('agreement');
    expect(text).toContain('‖A_T − A_S‖² pair 1');
  });

  it('draws a curve table once (chart or numbers, never both under one title) and scrolls wide tables', async () => {
    const tables: RunReport['tables'] = [
      {
        id: 'gaussian',
        title: 'Gaussian noise',
        columns: ['ε', 'σ', 'SNR (dB)', 'accuracy %'],
        rows: [
          [0.5, 0.5, 12, 94.5],
          [1, 0.5, 6, 78.5],
        ],
      },
      {
        id: 'corruptions-in-app',
        title: 'In-app corruptions',
        columns: ['corruption', 'severity 1 error %', 'mean error %'],
        rows: [['fog', 2, 2]],
      },
    ];
    useRunDetailStore().detail = { ...detail('r1'), report: report({ kind: 'robust', tables }) };
    const w = mount(ReportPanel);
    await flushPromises();
    expect(w.findAll('h3').filter((h) => h.text() === 'Gaussian noise')).toHaveLength(1);
    const chart = w.findAllComponents(ChartPanel).find((c) => c.props('title') === 'Gaussian noise')!;
    const option = chart.props('option') as { xAxis: { name: string }; yAxis: { name: string } };
    expect(option.xAxis.name).toContain('ε');
    expect(option.yAxis.name).toBe('accuracy (%)');
    expect(w.find('[data-table="report-corruptions-in-app"] .scroll-x table').exists()).toBe(true);
    // The numbers are one click away, in place of the chart.
    await w
      .findAll('button')
      .find((b) => b.text() === 'Table')!
      .trigger('click');
    expect(w.find('[data-table="report-gaussian"] table').exists()).toBe(true);
    expect(w.findAll('h3').filter((h) => h.text() === 'Gaussian noise')).toHaveLength(1);
  });
});

describe('chart export', () => {
  it('saves every chart as SVG (vector) besides PNG and CSV', async () => {
    const created: Blob[] = [];
    URL.createObjectURL = (b: Blob) => (created.push(b), 'blob:x');
    URL.revokeObjectURL = () => undefined;
    HTMLAnchorElement.prototype.click = () => undefined;
    const option = {
      xAxis: { type: 'value', name: 'epoch' },
      yAxis: { type: 'value', name: 'test loss' },
      series: [{ type: 'line', data: [[1, 2]] }],
    };
    const w = mount(ChartPanel, { props: { title: 'T', option, csv: () => [] } });
    await w.get('[data-export="svg"]').trigger('click');
    expect(created[0]?.type).toBe('image/svg+xml');
    const svg = await created[0]!.text();
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('test loss');
  });
});

describe('Compare', () => {
  it('groups the table by configuration, stars the smallest GKD distance, scrolls', async () => {
    const run = (id: string, method: string, seed: number, pair: number) => ({
      ...detail(id, { study: 's', method, seed, kind: 'distill', name: `${method} ${seed}` }),
      report: report({ method, metrics: { acc: 0.95, agreement: 0.9, 'gkd.pair0': pair } }),
    });
    const runs = { a: run('a', 'gkd', 0, 0.01), b: run('b', 'gkd', 1, 0.012), c: run('c', 'kd', 0, 0.5) };
    fake
      .answer('lab:runs.get', (p) => runs[p.id as keyof typeof runs])
      .answer('lab:runs.metrics', (p) =>
        p.from === 0
          ? { records: [...stepRecords(1), epochRecord(1, 0.9)], next: 11 }
          : { records: [], next: 11 },
      )
      .answer('lab:runs.probes', { epochs: [1] })
      .answer('lab:runs.probe', () => snapshot(1));
    const w = mount(CompareView, { props: { ids: ['a', 'b', 'c'] } });
    await flushPromises();
    const groups = w.findAll('[data-table="compare"] tbody');
    expect(groups.map((g) => g.attributes('data-group'))).toEqual(['gkd', 'kd']);
    const header = w.findAll('[data-table="compare"] th').map((t) => t.text());
    const col = header.indexOf('‖A_T − A_S‖² pair 1');
    expect(col).toBeGreaterThan(0);
    const summaryRow = groups[0]!.find('.group-row');
    expect(summaryRow.findAll('th, td')[col]!.text()).toContain('★');
    expect(groups[1]!.findAll('td')[col]!.text()).not.toContain('★');
    expect(w.find('.scroll-x [data-table="compare"]').exists()).toBe(true);
    // One-epoch runs: the curves start per step.
    await flushPromises();
    const curves = w
      .findAllComponents(ChartPanel)
      .find((c) => c.attributes('data-chart') === 'compare-curves')!;
    expect((curves.props('option') as { yAxis: { name: string } }).yAxis.name).toBe('training batch loss');
  });
});

describe('New experiment traps', () => {
  it('switches Vary off when the kind or preset changes (Start silently became "Start study")', () => {
    const x = useExperimentStore();
    x.setStudy(true);
    expect(x.study.enabled).toBe(true);
    expect(x.study.methods).toEqual(['ce']);
    x.chooseKind('distill');
    expect(x.study.enabled).toBe(false);
    x.setStudy(true);
    x.choosePreset(null);
    expect(x.study.enabled).toBe(false);
  });

  it('does not start a study with no method ticked (it ran 3 runs of the form’s method)', () => {
    const x = useExperimentStore();
    x.setStudy(true);
    x.study.methods = [];
    expect(x.studyIssue).toMatch(/at least one method/);
    expect(x.canStart).toBe(false);
  });

  it('shows each field’s documentation from the schema as help text', async () => {
    const w = mount(SpecForm);
    await flushPromises();
    expect(w.get('[data-field="training.checkpointEvery"] [data-help]').text()).toBe(
      'Save a checkpoint every this many epochs (the last epoch is always saved).',
    );
    expect(w.get('[data-field="probe.epochs"] [data-help]').text()).toMatch(/^Snapshot epochs/);
    expect(w.get('[data-field="training.epochs"] [data-help]').text()).not.toMatch(/^Snapshot/);
  });

  it('offers no teacher kNN mask outside distillation', async () => {
    useDatasetsStore().list = [MNIST];
    const x = useExperimentStore();
    const w = mount(LggPlayground);
    await flushPromises();
    expect(w.text()).not.toMatch(/mask ?source/i);
    x.chooseKind('distill');
    await flushPromises();
    expect(w.text()).toMatch(/mask ?source/i);
  });
});

describe('Runs and messages', () => {
  it('drops a selection the filter hides ("6 selected", 3 visible, Delete enabled)', async () => {
    const runs = useRunsStore();
    runs.rows = [summary('a', { method: 'gkd' }), summary('b', { method: 'kd' })];
    runs.selected = ['a', 'b'];
    runs.filterText = 'gkd';
    await flushPromises();
    expect(runs.selected).toEqual(['a']);
  });

  it('names uploaded files as dropped, wraps long errors and clears them when the page changes', async () => {
    expect(
      forDisplay('Cannot import this: /home/u/.lgg/tmp/uploads/9f3a2b/upload/train.bin: not a known format'),
    ).toBe('Cannot import this: train.bin: not a known format');
    const notify = useNotifyStore();
    notify.error(new Error('x'.repeat(400)), 'Import');
    notify.info('saved');
    const w = mount(ToastList);
    await flushPromises();
    expect(w.findAll('.toast')).toHaveLength(2);
    notify.leavePage();
    await flushPromises();
    expect(w.findAll('.toast').map((t) => t.classes())).toEqual([['toast', 'info']]);
  });

  it('lists the importer’s notes apart from its warnings', async () => {
    const datasets = useDatasetsStore();
    datasets.pending = {
      phase: 'preview',
      fraction: 1,
      path: '/x',
      name: 'n',
      preview: {
        format: 'npy',
        name: 'n',
        kind: 'images',
        shape: [2, 2, 3],
        dtype: 'float32',
        classNames: ['a'],
        splits: { train: { count: 1, countsPerClass: [1] } },
        samples: [],
        warnings: ['layout ambiguous, read as NHWC'],
        notes: ['values in [0, 1] detected; scaled to 0–255'],
      } as never,
    };
    const w = mount(ImportPreview);
    await flushPromises();
    expect(w.get('.warnings').text()).toContain('layout ambiguous');
    expect(w.get('.warnings').text()).not.toContain('scaled');
    expect(w.get('.notes').text()).toContain('scaled to 0–255');
  });
});
