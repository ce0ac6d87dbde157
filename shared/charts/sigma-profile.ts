import type { ProbeSnapshot, ProbeTap } from '../run-types.js';
import { axisTooltip, base, categoryAxis, frame, legendOf, valueAxis } from './axes.js';
import { HEAT_COLORS, seriesColor, sequentialColor } from './palette.js';
import type { ChartOption } from './types.js';

/** Which σ of a tap to draw. */
export type SigmaKind = 'sigma1' | 'sigma2' | 'sigma1Pairs';

/** Labels of the σ choices. */
export const SIGMA_LABELS: Record<SigmaKind, string> = {
  sigma1: 'σ (m = 1)',
  sigma2: 'σ (m = 2)',
  sigma1Pairs: 'σ per inter-class pair',
};

/** Title of a smoothness-profile chart (σ with a superscript l, never a caret). */
export const SIGMA_PROFILE_TITLE = 'Smoothness profile σˡ';

/** Up to this many epochs get a legend entry each; more are keyed by a colour bar. */
export const MAX_EPOCH_LEGEND = 8;

function values(taps: readonly ProbeTap[], kind: SigmaKind): number[] {
  return taps.map((t) => t[kind]);
}

/**
 * The smoothness profile σ^l across layers, one line per probe epoch coloured along viridis by
 * epoch, keyed by a legend (few epochs) or an epoch colour bar (many); the cursor epoch is drawn
 * bold and, for robustness runs, its perturbed profiles dashed (in the legend).
 */
export function sigmaProfileOption(
  snaps: readonly ProbeSnapshot[],
  kind: SigmaKind,
  cursor: number | null,
  log: boolean,
): ChartOption {
  const sorted = [...snaps].sort((a, b) => a.epoch - b.epoch);
  const taps = sorted[sorted.length - 1]?.taps.map((t) => t.tap) ?? [];
  const first = sorted[0]?.epoch ?? 0;
  const last = sorted[sorted.length - 1]?.epoch ?? 1;
  const t = (e: number) => (last > first ? (e - first) / (last - first) : 1);
  const series: Record<string, unknown>[] = sorted.map((s) => {
    const bold = s.epoch === cursor;
    const color = sequentialColor(t(s.epoch));
    return {
      id: `e${s.epoch}`,
      name: `epoch ${s.epoch}`,
      type: 'line',
      data: values(s.taps, kind),
      symbolSize: bold ? 6 : 3,
      lineStyle: { width: bold ? 3 : 1.2, color, opacity: cursor === null || bold ? 1 : 0.45 },
      itemStyle: { color },
      z: bold ? 5 : 2,
    };
  });
  const current = sorted.find((s) => s.epoch === cursor) ?? sorted[sorted.length - 1];
  const perturbed: string[] = [];
  // Perturbed profiles carry σ (m = 1) only, so they are comparable with that choice alone.
  if (current?.perturbed && kind === 'sigma1') {
    Object.entries(current.perturbed).forEach(([name, sig], i) => {
      const label = `${name} (epoch ${current.epoch})`;
      perturbed.push(label);
      const color = seriesColor(i + 1);
      series.push({
        id: `p-${name}`,
        name: label,
        type: 'line',
        data: sig,
        itemStyle: { color },
        lineStyle: { type: 'dashed', width: 2, color },
        z: 4,
      });
    });
  }
  const colorBar = sorted.length > MAX_EPOCH_LEGEND;
  const legendNames = [...(colorBar ? [] : sorted.map((s) => `epoch ${s.epoch}`)), ...perturbed];
  // With a colour bar for the epochs, the dashed perturbed lines still need naming.
  const hasLegend = legendNames.length > 1 || (colorBar && perturbed.length > 0);
  return {
    ...base(),
    tooltip: axisTooltip(),
    legend: hasLegend
      ? legendOf(legendNames, colorBar ? { left: 0, right: 130 } : {}, true)
      : { show: false },
    ...(colorBar
      ? {
          // A key only: it colours no series (they carry their colours), it says which is which.
          visualMap: {
            type: 'continuous',
            min: first,
            max: last,
            seriesIndex: [],
            orient: 'horizontal',
            right: 4,
            top: 2,
            itemWidth: 10,
            itemHeight: 80,
            calculable: false,
            text: [`epoch ${last}`, `epoch ${first}`],
            textStyle: { fontSize: 10 },
            inRange: { color: HEAT_COLORS },
          },
        }
      : {}),
    grid: frame({ legend: hasLegend || colorBar }),
    xAxis: categoryAxis('layer', taps, 'x'),
    yAxis: valueAxis({ title: SIGMA_LABELS[kind], log, fit: true }, 'y'),
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
