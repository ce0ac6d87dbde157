// Compare and a study's figure set, on their option objects: each test names the defect of issue
// #13 it pins down.
import { describe, expect, it } from 'vitest';
import {
  bandStats,
  compareCurvesOption,
  compareMetrics,
  compareProfilesOption,
  compareTable,
  compareTableCsv,
  figureSet,
  finalBarsOption,
  groupLabels,
  lggFigureRequests,
  LEGEND_HEIGHT,
  paperFigure,
  preferSteps,
  runGroups,
} from '../../../shared/charts/index.js';
import { PAPER_REFERENCES } from '../../../shared/paper-reference.js';
import { axis, checkChart, colorOf, legendNames, namedSeries } from './option-checks.js';
import { comparedRun } from './fixtures.js';

type Obj = Record<string, unknown>;

/** A distillation study: 3 seeds of gkd and kd, 1 of student. */
function study(o: { epochs?: number } = {}) {
  const e = o.epochs ?? 5;
  return [
    ...[0, 1, 2].map((s) =>
      comparedRun(`g${s}`, {
        method: 'gkd',
        seed: s,
        acc: 0.96 + 0.001 * s,
        epochs: e,
        metrics: { agreement: 0.95, 'gkd.pair0': 0.01 + 0.001 * s },
      }),
    ),
    ...[0, 1, 2].map((s) =>
      comparedRun(`k${s}`, {
        method: 'kd',
        seed: s,
        acc: 0.94 + 0.002 * s,
        epochs: e,
        metrics: { agreement: 0.93, 'gkd.pair0': 0.05 },
      }),
    ),
    comparedRun('s0', {
      method: 'student',
      seed: 0,
      acc: 0.92,
      epochs: e,
      metrics: { agreement: 0.9, 'gkd.pair0': 0.2 },
    }),
  ];
}

describe('Compare curves', () => {
  it('computes mean ± sample std bands per x', () => {
    const s = bandStats([
      [
        [1, 1],
        [2, 3],
      ],
      [
        [1, 3],
        [2, 3],
      ],
    ]);
    expect(s.mean).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(s.std[0]?.[1]).toBeCloseTo(Math.SQRT2);
    expect(s.std[1]?.[1]).toBe(0);
  });

  it('names groups by what differs, one colour per group, legend in the colours drawn (legend colours did not match)', () => {
    const groups = runGroups(study());
    expect(groups.map((g) => g.label)).toEqual(['gkd', 'kd', 'student']);
    expect(new Set(groups.map((g) => g.color)).size).toBe(3);
    const o = compareCurvesOption(groups, 'test.acc');
    checkChart(o);
    expect(legendNames(o)).toEqual(['gkd (n=3)', 'kd (n=3)', 'student']);
    for (const g of groups) {
      const mine = namedSeries(o).filter((s) => String(s.name).startsWith(g.label));
      expect(new Set(mine.map(colorOf))).toEqual(new Set([g.color]));
    }
    expect(axis(o, 'yAxis').name).toBe('test accuracy (%)');
    expect(axis(o, 'xAxis').name).toBe('epoch');
  });

  it('draws a visible ± std band for groups of several runs (none was visible)', () => {
    const o = compareCurvesOption(runGroups(study()), 'test.acc');
    const series = o.series as Obj[];
    const bands = series.filter((s) => s.areaStyle);
    expect(bands.map((s) => s.name)).toEqual(['gkd (n=3)', 'kd (n=3)']);
    for (const b of bands) {
      expect((b.areaStyle as Obj).opacity as number).toBeGreaterThan(0.1);
      // Stacked on its transparent lower edge: the band spans lo → hi at every x.
      const lo = series.find((s) => s.stack === b.stack && s !== b);
      expect(lo).toBeDefined();
      expect((b.data as number[][]).every(([, h]) => (h ?? -1) >= 0)).toBe(true);
    }
  });

  it('compares runs shorter than a few epochs per step (one-epoch runs plotted single points)', () => {
    const runs = study({ epochs: 1 });
    expect(preferSteps(runs)).toBe(true);
    expect(compareMetrics(runs)[0]).toBe('batch.loss');
    const o = compareCurvesOption(runGroups(runs), 'batch.loss');
    checkChart(o);
    const mean = (o.series as Obj[]).find((s) => s.id === 'gkd (n=3)-mean') as Obj;
    expect((mean.data as unknown[]).length).toBe(10);
    expect(axis(o, 'xAxis').name).toBe('epoch');
    expect(axis(o, 'yAxis').name).toBe('training batch loss');
    expect(preferSteps(study({ epochs: 5 }))).toBe(false);
  });

  it('overlays σˡ profiles as group means with bands, legend clear of the title (it overlapped)', () => {
    const o = compareProfilesOption(runGroups(study()));
    checkChart(o);
    expect(axis(o, 'xAxis').data).toEqual(['block1', 'block2']);
    expect(axis(o, 'yAxis').name).toBe('σ per inter-class pair');
    expect((o.grid as Obj).top as number).toBeGreaterThanOrEqual(LEGEND_HEIGHT);
  });

  it('drops the parts all group keys share from the legend', () => {
    expect([...groupLabels(['s · gkd', 's · kd']).values()]).toEqual(['gkd', 'kd']);
    expect([...groupLabels(['ce · CNN · mnist', 'ce · MLP · mnist']).values()]).toEqual(['CNN', 'MLP']);
    expect([...groupLabels(['s · gkd']).values()]).toEqual(['s · gkd']);
  });
});

describe('Compare table', () => {
  it('stars the best by each metric’s direction: the smallest GKD distance, not the largest', () => {
    const t = compareTable(runGroups(study()));
    const col = t.columns.findIndex((c) => c.key === 'gkd.pair0');
    expect(t.columns[col]?.direction).toBe('lower');
    const starred = t.groups.filter((g) => (g.summary ?? g.runs[0])?.cells[col]?.best).map((g) => g.label);
    expect(starred).toEqual(['gkd']);
    const acc = t.columns.findIndex((c) => c.key === 'testAcc');
    expect(t.groups.filter((g) => (g.summary ?? g.runs[0])?.cells[acc]?.best).map((g) => g.label)).toEqual([
      'gkd',
    ]);
  });

  it('marks every tied best (only one of tied values was starred)', () => {
    const runs = [
      comparedRun('a', { method: 'gkd', acc: 0.98 }),
      comparedRun('b', { method: 'kd', acc: 0.98 }),
      comparedRun('c', { method: 'sp', acc: 0.97 }),
    ];
    const t = compareTable(runGroups(runs));
    expect(t.bestOnMeans).toBe(false);
    const acc = t.columns.findIndex((c) => c.key === 'testAcc');
    expect(t.groups.map((g) => g.runs[0]?.cells[acc]?.best)).toEqual([true, true, false]);
  });

  it('groups rows by configuration with a mean ± std row, configuration shared by all lifted out (it was flat and overflowed)', () => {
    const t = compareTable(runGroups(study()));
    expect(t.groups.map((g) => [g.label, g.runs.length, !!g.summary])).toEqual([
      ['gkd', 3, true],
      ['kd', 3, true],
      ['student', 1, false],
    ]);
    expect(t.shared.map((s) => s.label)).toEqual(
      expect.arrayContaining(['model', 'dataset', 'epochs', 'batch', 'lr']),
    );
    expect(t.columns.map((c) => c.key)).not.toContain('dataset');
    const acc = t.columns.findIndex((c) => c.key === 'testAcc');
    expect(t.groups[0]?.summary?.cells[acc]?.text).toBe('96.10 ± 0.10 %');
    // Fractions read as %, never as 0.96.
    expect(t.groups[2]?.runs[0]?.cells[acc]?.text).toBe('92.00 %');
    const csv = compareTableCsv(t);
    expect(csv[0]?.slice(0, 2)).toEqual(['group', 'run']);
    expect(csv).toHaveLength(1 + 2 + 7);
  });
});

describe('figure set', () => {
  it('bars each final metric per group with whiskers and the runs as dots', () => {
    const o = finalBarsOption(runGroups(study()), 'agreement');
    checkChart(o);
    expect(axis(o, 'yAxis').name).toBe('teacher–student agreement (%)');
    const series = o.series as Obj[];
    expect((series[0]?.data as { value: number }[]).map((d) => d.value)).toEqual([95, 93, 90]);
    expect(series.filter((s) => String(s.id).startsWith('std-'))).toHaveLength(2);
  });

  it('puts the paper’s figure beside each group of a paper preset, as a named marker', () => {
    const runs = ['vanilla', 'laplacian'].flatMap((method, m) =>
      [0, 1].map((seed) => {
        const r = comparedRun(`${method}${seed}`, { method, seed, metrics: { clean: 0.86 + 0.01 * m } });
        r.detail.spec = { ...r.detail.spec, preset: 'cifar10-robust-paper' };
        return r;
      }),
    );
    const groups = runGroups(runs);
    expect(groups.map((g) => paperFigure(g, 'clean'))).toEqual(
      groups.map((g) => PAPER_REFERENCES['cifar10-robust-paper']?.values[0]?.byMethod[g.label]),
    );
    const o = finalBarsOption(groups, 'clean');
    checkChart(o);
    const paper = (o.series as Obj[]).find((s) => s.id === 'paper');
    expect(paper?.data).toEqual(groups.map((g, i) => [i, g.label === 'vanilla' ? 88.1 : 86.9]));
    expect(legendNames(o)).toEqual(['paper']);
    // Runs from no paper preset get no marker.
    expect(
      (finalBarsOption(runGroups(study()), 'agreement').series as Obj[]).some((s) => s.id === 'paper'),
    ).toBe(false);
  });

  it('lists curves, profiles, bars and LGG heatmaps (one run per group, its paired tap)', () => {
    const groups = runGroups(study());
    const requests = lggFigureRequests(groups);
    expect(requests.map((r) => [r.group.label, r.run.id, r.tap])).toEqual([
      ['gkd', 'g0', 'block2'],
      ['kd', 'k0', 'block2'],
      ['student', 's0', 'block2'],
    ]);
    const m = { size: 4, values: Array.from({ length: 16 }, (_, i) => i / 16) };
    const figures = figureSet(
      groups,
      requests.map((request) => ({ request, graph: m, teacher: m, diff: m })),
      { name: 'quick' },
    );
    const names = figures.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'curves-test-acc',
        'curves-test-loss',
        'curves-train-loss',
        'curves-test-agreement',
        'sigma-profiles',
        'final-testacc',
        'final-agreement',
        'final-gkd-pair0',
        'lgg-gkd',
        'lgg-kd',
        'lgg-student',
      ]),
    );
    for (const f of figures) {
      expect(f.width).toBeGreaterThan(300);
      expect(JSON.stringify(f.option)).not.toContain('NaN');
    }
    // Short runs: per-step curves instead of single points.
    const short = figureSet(runGroups(study({ epochs: 1 })), []).map((f) => f.name);
    expect(short).toContain('curves-batch-loss');
    expect(short).not.toContain('curves-test-acc');
  });
});
