import { describe, expect, it } from 'vitest';
import { bandStats } from '../../renderer/src/charts/bands';
import { seriesToCsv, toCsv } from '../../renderer/src/charts/csv';
import { curvesData, runCurves, stepsPerEpochOf } from '../../renderer/src/charts/curves';
import { classStarts, heatCells, valueRange } from '../../renderer/src/charts/heatmap';
import { knnEdges } from '../../renderer/src/charts/knn-graph';
import { bestIndex, compareColumns, compareGroups } from '../../renderer/src/charts/compare';
import { sigmaProfileCsv, sigmaProfileOption } from '../../renderer/src/charts/sigma-profile';
import { ema } from '../../renderer/src/charts/smoothing';
import { tableCurves } from '../../renderer/src/charts/report';
import type { ComparedRun } from '../../renderer/src/stores/compare';
import { detail, epochRecord, snapshot, stepRecords } from './fixtures';

describe('chart data', () => {
  it('smooths with a debiased EMA', () => {
    for (const v of ema([1, 1, 1], 0.9)) expect(v).toBeCloseTo(1, 10);
    expect(ema([0, 10], 0)).toEqual([0, 10]);
    const s = ema([0, 10], 0.5);
    expect(s[1]).toBeCloseTo((10 * 0.5) / 0.75);
  });

  it('puts steps and epochs on one epoch axis', () => {
    const records = [
      ...stepRecords(1),
      epochRecord(1, 0.8, { agreement: 0.7 }),
      ...stepRecords(2),
      epochRecord(2, 0.9, { agreement: 0.8 }),
    ];
    expect(stepsPerEpochOf(records, 99)).toBe(10);
    const c = runCurves(records, 99);
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
    expect(patch.series.map((s) => s.id)).toContain('acc-test');
    expect(patch.series[0]?.markLine?.data).toEqual([{ xAxis: 1 }]);
  });

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

  it('keeps each node’s k strongest neighbours, undirected', () => {
    const m = { size: 3, values: [0, 0.9, 0.1, 0.9, 0, 0.5, 0.1, 0.5, 0] };
    expect(knnEdges(m, 1)).toEqual([
      { source: 0, target: 1, weight: 0.9 },
      { source: 2, target: 1, weight: 0.5 },
    ]);
  });

  it('computes mean ± std bands per epoch', () => {
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
    expect(s.lo).toEqual([
      [1, 1],
      [2, 3],
    ]);
    expect(s.hi).toEqual([
      [1, 3],
      [2, 3],
    ]);
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

  it('draws one σ profile per probe epoch, the cursor bold', () => {
    const opt = sigmaProfileOption([snapshot(0), snapshot(1)], 'sigma1', 1, false) as {
      series: { id: string; lineStyle: { width: number } }[];
      xAxis: { data: string[] };
    };
    expect(opt.xAxis.data).toEqual(['block1', 'hidden']);
    expect(opt.series.map((s) => [s.id, s.lineStyle.width])).toEqual([
      ['e0', 1.2],
      ['e1', 3],
    ]);
    expect(sigmaProfileCsv([snapshot(0)], 'sigma1')).toEqual([
      ['layer', 'epoch 0'],
      ['block1', 4],
      ['hidden', 3],
    ]);
  });

  it('groups compared runs by configuration and marks the best', () => {
    const run = (id: string, seed: number, acc: number): ComparedRun => ({
      id,
      detail: detail(id, { seed }),
      epochs: [epochRecord(1, acc)],
    });
    const runs = [run('a', 0, 0.9), run('b', 1, 0.95)];
    const groups = compareGroups(runs, 'test.acc');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.name).toContain('n=2');
    const acc = compareColumns(runs).find((c) => c.key === 'testAcc')!;
    expect(bestIndex(runs, acc)).toBe(1);
  });

  it('turns numeric report tables into curves', () => {
    expect(
      tableCurves({
        id: 'g',
        title: 'G',
        columns: ['eps', 'acc'],
        rows: [
          [0, 1],
          [0.1, 0.5],
        ],
      }),
    ).toEqual([
      {
        name: 'acc',
        data: [
          [0, 1],
          [0.1, 0.5],
        ],
      },
    ]);
    expect(
      tableCurves({
        id: 'c',
        title: 'C',
        columns: ['name', 'err'],
        rows: [
          ['fog', 1],
          ['snow', 2],
        ],
      }),
    ).toBeNull();
  });
});
