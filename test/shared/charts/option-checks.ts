// What every chart option must satisfy, checked on the plain option objects the builders return
// (no browser): named axes, a legend naming each series when there are several (in the colour
// drawn), tick labels without float noise, axis titles away from the legend.
import { expect } from 'vitest';
import { LEGEND_HEIGHT } from '../../../shared/charts/index.js';

type Obj = Record<string, unknown>;

const list = (x: unknown): Obj[] => (Array.isArray(x) ? (x as Obj[]) : x ? [x as Obj] : []);

/** Series that stand for something in the legend (band helpers share their group's name). */
export function namedSeries(option: Obj): Obj[] {
  return list(option.series).filter((s) => typeof s.name === 'string' && s.name !== '');
}

/** The colour a series is drawn in. */
export function colorOf(s: Obj): string | undefined {
  const item = s.itemStyle as Obj | undefined;
  const line = s.lineStyle as Obj | undefined;
  return (item?.color ?? line?.color) as string | undefined;
}

/** Names the legend lists (plain strings or `{ name }` items). */
export function legendNames(option: Obj): string[] {
  const legend = list(option.legend)[0];
  if (!legend || legend.show === false) return [];
  return list(legend.data).map((d) => (typeof d === 'string' ? d : String(d.name)));
}

/** Significant digits of a printed number (`1,235,000` → 4, `0.000123` → 3). */
function significant(text: string): number {
  const mantissa = text.split(/e/i)[0] ?? '';
  return mantissa.replace(/[^0-9]/g, '').replace(/^0+|0+$/g, '').length;
}

/** Checks the invariants; `allowUnnamed` lists axes (e.g. `xAxis[0]`) that share a title with another. */
export function checkChart(option: Obj, o: { allowUnnamed?: string[] } = {}): void {
  for (const dim of ['xAxis', 'yAxis'] as const) {
    list(option[dim]).forEach((a, i) => {
      if (a.show === false) return;
      if (!o.allowUnnamed?.includes(`${dim}[${i}]`))
        expect(typeof a.name === 'string' ? a.name : '', `${dim}[${i}] has a title`).not.toBe('');
      // Titles beside the axis, never at its end where the legend is.
      if (a.name) expect(a.nameLocation, `${dim}[${i}] title placement`).toBe('middle');
      const label = a.axisLabel as Obj | undefined;
      if (a.type === 'value' || a.type === 'log') {
        const f = label?.formatter as ((v: number) => string) | undefined;
        expect(typeof f, `${dim}[${i}] formats its ticks`).toBe('function');
        for (const v of [1.1620469083155651, 0.30000000000000004, 1234567.891, 0.000123456789])
          expect(significant(f?.(v) ?? ''), `tick ${v} → ${f?.(v)}`).toBeLessThanOrEqual(5);
      }
    });
  }
  const names = [...new Set(namedSeries(option).map((s) => String(s.name)))];
  const legend = legendNames(option);
  if (names.length > 1) {
    expect(new Set(legend), 'one legend entry per named series').toEqual(new Set(names));
    // The plot starts below the legend.
    for (const g of list(option.grid)) {
      if (typeof g.top === 'number') expect(g.top).toBeGreaterThanOrEqual(LEGEND_HEIGHT);
    }
  }
  // Every series of one legend name is drawn in one colour, the colour the legend shows.
  const legendItems = list(list(option.legend)[0]?.data).filter((d) => typeof d === 'object');
  for (const name of names) {
    const colors = new Set(
      namedSeries(option)
        .filter((s) => s.name === name)
        .map(colorOf)
        .filter(Boolean),
    );
    expect(colors.size, `"${name}" has one colour`).toBeLessThanOrEqual(1);
    // The legend draws a name in its item's colour, else in the first series' colour: that must
    // be given, and be the colour the series are drawn in.
    const item = legendItems.find((d) => d.name === name);
    const first = namedSeries(option).find((s) => s.name === name);
    const shown = ((item?.itemStyle as Obj | undefined)?.color ?? (first && colorOf(first))) as
      string | undefined;
    if (legend.length > 0) {
      expect(shown, `legend colour of "${name}" is explicit`).toBeDefined();
      expect(colors.has(shown as string), `legend colour of "${name}" is its lines' colour`).toBe(true);
    }
  }
}

/** The option's axis (first by default) of a dimension. */
export function axis(option: Obj, dim: 'xAxis' | 'yAxis', i = 0): Obj {
  return list(option[dim])[i] as Obj;
}
