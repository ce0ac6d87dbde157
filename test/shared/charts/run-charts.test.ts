// The run dashboard's charts, on their option objects: each block names the defect of issue #13 it
// pins down (the old builders failed these assertions).
import { describe, expect, it } from 'vitest';
import {
  classStarts,
  curveAxis,
  curvesBase,
  curvesData,
  ema,
  fitLegend,
  heatCells,
  heatmapOption,
  knnEdges,
  knnGraphOption,
  knnLayout,
  LEGEND_HEIGHT,
  legendRowsFor,
  linesOption,
  MAX_EPOCH_LEGEND,
  metricLines,
  runCurves,
  seriesToCsv,
  sigmaProfileCsv,
  sigmaProfileOption,
  SIGMA_PROFILE_TITLE,
  stepsPerEpochOf,
  tableChart,
  tableChartOption,
  textWidth,
  toCsv,
  valueRange,
} from '../../../shared/charts/index.js';
import type { ReportTable } from '../../../shared/run-types.js';
import { corruptionTable } from '../../../electron/engine/eval/corruptions.js';
import { axis, checkChart, legendNames } from './option-checks.js';
import { epochRecord, snapshot, stepRecords } from './fixtures.js';

type Obj = Record<string, unknown>;

describe('training curves', () => {
  it('puts steps and epochs on one epoch axis when the steps per epoch are known', () => {
    const records = [
      ...stepRecords(1),
      epochRecord(1, 0.8, { agreement: 0.7 }),
      ...stepRecords(2),
      epochRecord(2, 0.9, { agreement: 0.8 }),
    ];
    expect(stepsPerEpochOf(records, 99)).toBe(10);
    const c = runCurves(records, 99);
    expect(c.x).toBe('epoch');
    expect(c.stepLoss[9]?.[0]).toBe(1);
    expect(c.acc.test).toEqual([
      [1, 0.8],
      [2, 0.9],
    ]);
    expect(c.extra.agreement).toEqual([
      [1, 0.7],
      [2, 0.8],
    ]);
    expect(c.lr).toHaveLength(20);
    const patch = curvesData(c, { smoothing: 0.5, logLoss: true }, 1) as {
      series: { id: string; data: number[][]; markLine?: { data: unknown[] } }[];
    };
    // Accuracy in %, on the same scale as its axis title.
    expect(patch.series.find((s) => s.id === 'acc-test')?.data).toEqual([
      [1, 80],
      [2, 90],
    ]);
    expect(patch.series[0]?.markLine?.data).toEqual([{ xAxis: 1 }]);
  });

  it('labels an axis of steps "step", never "epoch" (the LR chart read 0–323 "epoch"; after a cancel the loss chart did too)', () => {
    // A run cancelled inside its first epoch: step records only, steps per epoch unknown.
    const records = stepRecords(1, 40, 4);
    const c = runCurves(records, null);
    expect(c.x).toBe('step');
    expect(c.lr.map((p) => p[0])).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    const lr = linesOption([{ name: 'learning rate', data: c.lr }], {
      x: curveAxis(c.x),
      y: { title: 'learning rate', fit: true },
    });
    checkChart(lr);
    expect(axis(lr, 'xAxis').name).toBe('optimiser step');
    const base = curvesBase({ smoothing: 0, logLoss: false }, { x: c.x, splits: [] });
    expect(axis(base, 'xAxis', 1).name).toBe('optimiser step');
    // Known steps per epoch (live progress, kept after the run stops) give epochs again.
    expect(runCurves(records, 40).x).toBe('epoch');
    expect(axis(curvesBase({ smoothing: 0, logLoss: false }), 'xAxis', 1).name).toBe('epoch');
  });

  it('titles every axis beside it, out of the legend (the loss title overlapped the legend at 1024×700; "lr" was clipped)', () => {
    const base = curvesBase({ smoothing: 0, logLoss: false }, { x: 'epoch', splits: ['train', 'test'] });
    checkChart(base, { allowUnnamed: ['xAxis[0]'] });
    expect(axis(base, 'yAxis', 0).name).toBe('loss');
    expect(axis(base, 'yAxis', 1).name).toBe('accuracy (%)');
    expect(legendNames(base)).toEqual(['batch', 'batch (smoothed)', 'train', 'test']);
    for (const g of base.grid as Obj[]) expect(g.outerBoundsMode).toBe('same');
  });

  it('prints axis extremes for reading (1.1620469083155651 was printed whole)', () => {
    const base = curvesBase({ smoothing: 0, logLoss: false });
    const f = (axis(base, 'yAxis', 0).axisLabel as { formatter: (v: number) => string }).formatter;
    expect(f(1.1620469083155651)).toBe('1.162');
    expect(f(0.30000000000000004)).toBe('0.3');
    // The epoch axis ends on a whole epoch.
    const max = axis(base, 'xAxis', 1).max as (v: { max: number }) => number;
    expect(max({ max: 2.0000000001 })).toBe(2);
    expect(max({ max: 1.3 })).toBe(2);
  });

  it('smooths with a debiased EMA', () => {
    for (const v of ema([1, 1, 1], 0.9)) expect(v).toBeCloseTo(1, 10);
    expect(ema([0, 10], 0)).toEqual([0, 10]);
    expect(ema([0, 10], 0.5)[1]).toBeCloseTo((10 * 0.5) / 0.75);
  });
});

describe('legends', () => {
  it('wrap at the drawn width and push the plot down instead of clipping an item mid-word', () => {
    const names = Array.from({ length: 10 }, (_, i) => `class ${i}`);
    const o = linesOption(
      names.map((name, i) => ({ name, data: [[i, i]] })),
      { x: curveAxis('epoch'), y: { title: 'v' } },
    );
    expect(legendRowsFor(o, 1400)).toBe(1);
    expect(legendRowsFor(o, 300)).toBeGreaterThanOrEqual(3);
    const narrow = fitLegend(o, 300);
    expect((narrow.legend as Obj).type).toBe('plain');
    expect((narrow.grid as Obj).top as number).toBeGreaterThanOrEqual(legendRowsFor(o, 300) * 24);
    expect((fitLegend(o, 1400).grid as Obj).top).toBe((o.grid as Obj).top);
    // The estimate never falls short of the text: wide letters count wide.
    expect(textWidth('WWWW', 11)).toBeGreaterThan(textWidth('iiii', 11) * 2);
  });
});

describe('distillation charts', () => {
  it('draws agreement as a percentage with a named axis (it ran 0.4–1.6 with no label)', () => {
    const { series, y } = metricLines([{ key: 'agreement', data: [[1, 0.93]] }]);
    const o = linesOption(series, { x: curveAxis('epoch'), y });
    checkChart(o);
    expect(axis(o, 'yAxis').name).toBe('teacher–student agreement (%)');
    expect(axis(o, 'yAxis').min).toBe(90);
    expect(axis(o, 'yAxis').max).toBe(100);
    expect(series[0]?.data).toEqual([[1, 93]]);
  });

  it('puts accuracies and a norm on two named axes, never on one', () => {
    const { series, y } = metricLines([
      { key: 'knn1', data: [[1, 0.95]] },
      { key: 'knn10', data: [[1, 0.96]] },
      { key: 'embNorm', data: [[1, 4122]] },
    ]);
    expect(y.map((a) => a.title)).toEqual(['accuracy (%)', 'mean embedding norm']);
    expect(series.map((s) => [s.name, s.yAxis])).toEqual([
      ['1-NN accuracy', 0],
      ['10-NN accuracy', 0],
      ['mean embedding norm', 1],
    ]);
    checkChart(linesOption(series, { x: curveAxis('epoch'), y }));
  });

  it('keeps the GKD-distance legend off its axis title', () => {
    const o = linesOption(
      [
        { name: 'layer block1', data: [[1, 0.01]] },
        { name: 'layer block2', data: [[1, 0.02]] },
      ],
      { x: curveAxis('epoch'), y: { title: 'GKD distance ‖A_T − A_S‖²', fit: true } },
    );
    checkChart(o);
    expect(legendNames(o)).toEqual(['layer block1', 'layer block2']);
  });
});

describe('smoothness profile σˡ', () => {
  it('says which line is which epoch: a legend for few, a colour bar for many (it had neither)', () => {
    const few = sigmaProfileOption([snapshot(0), snapshot(1)], 'sigma1', 1, false);
    checkChart(few);
    expect(legendNames(few)).toEqual(['epoch 0', 'epoch 1']);
    const many = sigmaProfileOption(
      Array.from({ length: MAX_EPOCH_LEGEND + 4 }, (_, e) => snapshot(e)),
      'sigma1',
      null,
      false,
    );
    const bar = many.visualMap as Obj;
    expect(bar.text).toEqual([`epoch ${MAX_EPOCH_LEGEND + 3}`, 'epoch 0']);
    expect(bar.seriesIndex).toEqual([]);
    checkChart({ ...many, series: [] });
  });

  it('draws the cursor epoch bold and names σ without a caret', () => {
    const opt = sigmaProfileOption([snapshot(0), snapshot(1)], 'sigma1', 1, false) as {
      series: { id: string; lineStyle: { width: number } }[];
      xAxis: { data: string[]; name: string };
    };
    expect(opt.xAxis.data).toEqual(['block1', 'block2']);
    expect(opt.xAxis.name).toBe('layer');
    expect(opt.series.map((s) => [s.id, s.lineStyle.width])).toEqual([
      ['e0', 1.2],
      ['e1', 3],
    ]);
    expect(SIGMA_PROFILE_TITLE).not.toContain('^');
    expect(sigmaProfileCsv([snapshot(0)], 'sigma1')).toEqual([
      ['layer', 'epoch 0'],
      ['block1', 4],
      ['block2', 3],
    ]);
  });
});

describe('LGG panel', () => {
  it('lays heatmap cells out row-major with class blocks', () => {
    const m = { size: 2, values: [0, -2, 3, 0] };
    expect(heatCells(m, true)).toEqual([
      [0, 0, 0],
      [1, 0, 2],
      [0, 1, 3],
      [1, 1, 0],
    ]);
    expect(valueRange(m, true)).toEqual([-2, 3]);
    expect([...classStarts([0, 0, 1, 1, 1, 2])]).toEqual([
      [0, 0],
      [2, 1],
      [5, 2],
    ]);
  });

  it('writes the values at the ends of a heatmap colour bar (it carried no numbers)', () => {
    const o = heatmapOption({ size: 2, values: [1, 0.25, 0.75, 1] }, [0, 1], { valueName: 'edge weight' });
    const bar = o.visualMap as { text: string[] };
    expect(bar.text[0]).toBe('0.75');
    expect(bar.text[1]).toContain('0.25');
    expect(bar.text[1]).toContain('edge weight');
  });

  it('keeps each node’s k strongest neighbours, undirected', () => {
    const m = { size: 3, values: [0, 0.9, 0.1, 0.9, 0, 0.5, 0.1, 0.5, 0] };
    expect(knnEdges(m, 1)).toEqual([
      { source: 0, target: 1, weight: 0.9 },
      { source: 2, target: 1, weight: 0.5 },
    ]);
  });

  it('lays the kNN graph out inside the space under its legend (the force layout spilled out)', () => {
    const labels = Array.from({ length: 60 }, (_, i) => i % 6);
    const size = labels.length;
    const values = Array.from({ length: size * size }, (_, k) =>
      labels[Math.floor(k / size)] === labels[k % size] ? 0.9 : 0.1,
    );
    const xy = knnLayout(labels, knnEdges({ size, values }, 4));
    for (const [x, y] of xy) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1);
    }
    // Deterministic: the same graph gives the same figure.
    expect(knnLayout(labels, knnEdges({ size, values }, 4))).toEqual(xy);
    const o = knnGraphOption({ size, values }, labels, 4);
    const s = (o.series as Obj[])[0] as Obj;
    expect(s.layout).toBe('none');
    expect(s.top as number).toBeGreaterThanOrEqual(LEGEND_HEIGHT);
    expect(legendNames(o)).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});

const gaussian: ReportTable = {
  id: 'gaussian',
  title: 'Gaussian noise',
  // The engine's columns (electron/engine/eval/suite-items.ts).
  columns: ['ε', 'σ', 'SNR (dB), clamped', 'SNR (dB), per image, unclamped', 'accuracy %'],
  rows: [
    [0.5, 0.5, 12.1, 11.8, 94.5],
    [1, 0.5, 6.1, 5.9, 78.5],
    [1.5, 0.5, 2.6, 2.3, 45.4],
  ],
};

describe('robustness report', () => {
  it('plots accuracy over the strength the table varies, never σ, SNR or steps on the accuracy axis', () => {
    const c = tableChart(gaussian);
    expect(c?.x).toContain('ε');
    expect(c?.y).toBe('accuracy (%)');
    expect(c?.series.map((s) => s.name)).toEqual(['accuracy']);
    expect(c?.series[0]?.data).toEqual([
      [0.5, 94.5],
      [1, 78.5],
      [1.5, 45.4],
    ]);
    const o = tableChartOption(c!);
    checkChart(o);
    expect(axis(o, 'xAxis').name).not.toBe('epoch');
    expect([axis(o, 'yAxis').min, axis(o, 'yAxis').max]).toEqual([0, 100]);
  });

  it('reads p, bits and corruption severities, and splits lines by protocol', () => {
    const dropout: ReportTable = {
      id: 'dropout',
      title: 'dropout',
      columns: ['protocol', 'p', 'outputs per forward', 'draws', 'accuracy %'],
      rows: [
        ['dropout-relus', 0.25, 3, 1, 86.7],
        ['dropout-relus', 0.4, 3, 1, 76.5],
        ['dropout-blocks', 0.25, 2, 1, 88],
        ['dropout-blocks', 0.4, 2, 1, 80],
      ],
    };
    const d = tableChart(dropout);
    expect(d?.x).toBe('dropout rate p');
    expect(d?.series.map((s) => s.name)).toEqual(['protocol dropout-relus', 'protocol dropout-blocks']);
    const bits = tableChart({
      id: 'quantization',
      title: 'q',
      columns: ['bits', 'tensors', 'max |Δw| / max |w|', 'accuracy %'],
      rows: [
        [8, 4, 0.01, 97],
        [5, 4, 0.05, 95.4],
      ],
    });
    expect(bits?.x).toBe('weight bits');
    const corruptions = tableChart({
      id: 'corruptions-in-app',
      title: 'c',
      columns: [
        'corruption',
        'severity 1 error %',
        'severity 2 error %',
        'severity 3 error %',
        'mean error %',
      ],
      rows: [
        ['fog', 2, 3, 5, 3.33],
        ['snow', 4, 6, 9, 6.33],
        ['mean', '', '', '', 4.83],
      ],
    });
    expect(corruptions?.x).toBe('severity');
    expect(corruptions?.y).toBe('error (%)');
    expect(corruptions?.series.map((s) => s.name)).toEqual(['fog', 'snow']);
    expect(corruptions?.series[0]?.data).toEqual([
      [1, 2],
      [2, 3],
      [3, 5],
    ]);
  });

  it('charts the suite tables as the engine writes them: FGSM and PGD per protocol, quantisation by bits, corruptions by severity', () => {
    const fgsm = tableChart({
      id: 'fgsm',
      title: 'FGSM',
      columns: ['protocol', 'attack', 'ε (mean)', 'SNR (dB)', 'accuracy %'],
      // The attack label repeats across protocols (the same SNR in both spaces): it describes the
      // row, the protocol makes the lines.
      rows: [
        ['fgsm-pixel', 'L∞ ε=0.01', 0.01, 33.1, 91.2],
        ['fgsm-pixel', 'L∞ ε=0.03', 0.03, 23.5, 70.4],
        ['fgsm-pixel', 'SNR 20 dB', 0.047, 20, 61.5],
        ['fgsm-normalised', 'SNR 33 dB', 0.041, 33, 90.1],
        ['fgsm-normalised', 'SNR 20 dB', 0.18, 20, 55.3],
      ],
    });
    expect(fgsm?.x).toBe('ε (mean over the images)');
    expect(fgsm?.series.map((s) => s.name)).toEqual(['protocol fgsm-pixel', 'protocol fgsm-normalised']);
    expect(fgsm?.series[0]?.data).toHaveLength(3);
    const pgd = tableChart({
      id: 'pgd',
      title: 'PGD',
      columns: [
        'ε',
        'step',
        'iterations',
        'random start',
        'SNR (dB)',
        'pgd-any-iterate %',
        'pgd-final-iterate %',
      ],
      rows: [
        [0.01, 0.0025, 20, 'no', 35, 80, 82],
        [0.03, 0.0075, 20, 'no', 25, 40, 44],
      ],
    });
    expect(pgd?.y).toBe('accuracy (%)');
    expect(pgd?.series.map((s) => s.name)).toEqual(['pgd-any-iterate', 'pgd-final-iterate']);
    const quant = tableChart({
      id: 'quantization',
      title: 'q',
      columns: ['protocol', 'bits', 'tensors', 'max |Δw| / max |w|', 'accuracy %'],
      rows: [
        ['quantise-truncate', 8, 4, 0.008, 97.1],
        ['quantise-truncate', 4, 4, 0.12, 80.2],
        ['quantise-round', 8, 4, 0.004, 97.3],
        ['quantise-round', 4, 4, 0.06, 90.5],
      ],
    });
    expect(quant?.x).toBe('weight bits');
    expect(quant?.series).toHaveLength(2);
    const corr = tableChart(
      corruptionTable('corruptions-in-app', 'in-app', [
        { name: 'fog', errors: [0.02, 0.03, 0.05] },
        { name: 'snow', errors: [0.04, 0.06, 0.09] },
      ]),
    );
    expect(corr?.x).toBe('severity');
    expect(corr?.y).toBe('error (%)');
    expect(corr?.series.map((s) => s.name)).toEqual(['fog', 'snow']);
    for (const c of [fgsm, pgd, quant, corr]) checkChart(tableChartOption(c!));
  });

  it('leaves tables that are not curves as tables (one row; PGD rows that differ in iterations)', () => {
    expect(
      tableChart({ id: 'clean', title: 'c', columns: ['examples', 'accuracy %'], rows: [[500, 95.7]] }),
    ).toBeNull();
    expect(
      tableChart({
        id: 'pgd',
        title: 'p',
        columns: ['ε', 'step', 'iterations', 'random start', 'SNR (dB)', 'accuracy %'],
        rows: [
          [0.1, 0.01, 20, 'no', 20, 67.5],
          [0.15, 0.0375, 10, 'yes', 16, 35.6],
        ],
      }),
    ).toBeNull();
  });

  it('writes CSV with quoting and joined series', () => {
    expect(
      toCsv([
        ['a', 'b,c'],
        [1, null],
      ]),
    ).toBe('a,"b,c"\r\n1,\r\n');
    expect(
      seriesToCsv('x', [
        { name: 'p', data: [[1, 2]] },
        { name: 'q', data: [[2, 3]] },
      ]),
    ).toEqual([
      ['x', 'p', 'q'],
      [1, 2, undefined],
      [2, undefined, 3],
    ]);
  });
});
