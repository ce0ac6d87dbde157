import type { ProbeSnapshot, ProbeTap } from '../../../shared/run-types';
import type { ChartOption } from './echarts';
import { sequentialColor } from './palette';

/** Which σ of a tap to draw. */
export type SigmaKind = 'sigma1' | 'sigma2' | 'sigma1Pairs';

/** Labels of the σ choices. */
export const SIGMA_LABELS: Record<SigmaKind, string> = {
  sigma1: 'σ (m = 1)',
  sigma2: 'σ (m = 2)',
  sigma1Pairs: 'σ per inter-class pair',
};

function values(taps: readonly ProbeTap[], kind: SigmaKind): number[] {
  return taps.map((t) => t[kind]);
}

/**
 * The smoothness profile σ^l across layers, one line per probe epoch coloured by epoch; the
 * cursor epoch is drawn bold and, for robustness runs, its perturbed profiles dashed.
 */
export function sigmaProfileOption(
  snaps: readonly ProbeSnapshot[],
  kind: SigmaKind,
  cursor: number | null,
  log: boolean,
): ChartOption {
  const sorted = [...snaps].sort((a, b) => a.epoch - b.epoch);
  const taps = sorted[sorted.length - 1]?.taps.map((t) => t.tap) ?? [];
  const last = sorted[sorted.length - 1]?.epoch ?? 1;
  const series: object[] = sorted.map((s) => {
    const bold = s.epoch === cursor;
    return {
      id: `e${s.epoch}`,
      name: `epoch ${s.epoch}`,
      type: 'line',
      data: values(s.taps, kind),
      symbolSize: bold ? 6 : 3,
      lineStyle: {
        width: bold ? 3 : 1.2,
        color: sequentialColor(s.epoch / Math.max(1, last)),
        opacity: cursor === null || bold ? 1 : 0.45,
      },
      itemStyle: { color: sequentialColor(s.epoch / Math.max(1, last)) },
      z: bold ? 5 : 2,
    };
  });
  const current = sorted.find((s) => s.epoch === cursor) ?? sorted[sorted.length - 1];
  // Perturbed profiles carry σ (m = 1) only, so they are comparable with that choice alone.
  if (current?.perturbed && kind === 'sigma1') {
    for (const [name, sig] of Object.entries(current.perturbed)) {
      series.push({
        id: `p-${name}`,
        name: `${name} (epoch ${current.epoch})`,
        type: 'line',
        data: sig,
        lineStyle: { type: 'dashed', width: 2 },
      });
    }
  }
  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: { trigger: 'axis' },
    grid: { left: 64, right: 16, top: 16, bottom: 56 },
    xAxis: {
      type: 'category',
      data: taps,
      name: 'layer',
      nameLocation: 'middle',
      nameGap: 36,
      axisLabel: { rotate: taps.length > 8 ? 40 : 0, fontSize: 10 },
    },
    yAxis: {
      type: log ? 'log' : 'value',
      name: SIGMA_LABELS[kind],
      nameLocation: 'middle',
      nameGap: 52,
      scale: true,
    },
    series,
  };
}

/** Rows of the profile for CSV: tap, then one column per epoch. */
export function sigmaProfileCsv(snaps: readonly ProbeSnapshot[], kind: SigmaKind): (string | number)[][] {
  const sorted = [...snaps].sort((a, b) => a.epoch - b.epoch);
  const taps = sorted[sorted.length - 1]?.taps.map((t) => t.tap) ?? [];
  return [
    ['layer', ...sorted.map((s) => `epoch ${s.epoch}`)],
    ...taps.map((tap, i) => [tap, ...sorted.map((s) => s.taps[i]?.[kind] ?? '')]),
  ];
}
