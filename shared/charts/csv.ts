/** A CSV table: header row then data rows. */
export type CsvRows = (string | number | null | undefined)[][];

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 text of `rows`. */
export function toCsv(rows: CsvRows): string {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Rows of `[x, y]` series joined on x: header `x, name1, name2, …`. */
export function seriesToCsv(
  xName: string,
  series: { name: string; data: readonly (readonly [number, number])[] }[],
): CsvRows {
  const xs = [...new Set(series.flatMap((s) => s.data.map((d) => d[0])))].sort((a, b) => a - b);
  const maps = series.map((s) => new Map(s.data.map((d) => [d[0], d[1]])));
  return [[xName, ...series.map((s) => s.name)], ...xs.map((x) => [x, ...maps.map((m) => m.get(x))])];
}
