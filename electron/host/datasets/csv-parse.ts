import path from 'node:path';
import { corrupt } from './errors.js';
import { fileChunks } from './file-chunks.js';
import { LIMITS } from './limits.js';

/** One non-blank line of a CSV file with its 1-based number. */
export interface CsvLine {
  /** Text without the line ending. */
  text: string;
  /** 1-based line number. */
  lineNo: number;
}

/** Streams the non-blank lines of a UTF-8 CSV file (BOM removed), refusing absurdly long lines. */
export async function* csvLines(file: string): AsyncGenerator<CsvLine> {
  const label = path.basename(file);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let carry = '';
  let lineNo = 0;
  const emit = function* (text: string): Generator<CsvLine> {
    lineNo++;
    let t = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (lineNo === 1 && t.startsWith('\uFEFF')) t = t.slice(1);
    if (t.trim().length > 0) yield { text: t, lineNo };
  };
  for await (const chunk of fileChunks(file)) {
    carry += decoder.decode(chunk, { stream: true });
    let nl = carry.indexOf('\n');
    let start = 0;
    while (nl >= 0) {
      yield* emit(carry.slice(start, nl));
      start = nl + 1;
      nl = carry.indexOf('\n', start);
    }
    carry = carry.slice(start);
    if (carry.length > LIMITS.maxCsvLineBytes)
      throw corrupt(
        label,
        `line ${lineNo + 1} is longer than ${LIMITS.maxCsvLineBytes} bytes (binary file?)`,
      );
  }
  carry += decoder.decode();
  if (carry.length > 0) yield* emit(carry);
}

/** The most frequent of comma, semicolon and tab in a header line. */
export function detectDelimiter(line: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const n = line.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Splits one line into fields (RFC 4180 quotes; a quoted field may not span lines). */
export function splitCsvLine(line: string, delimiter: string, where: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.trim().length === 0) {
      quoted = true;
      field = '';
    } else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) throw corrupt(where, 'unterminated quoted field (multi-line fields are not supported)');
  out.push(field);
  return out;
}

/** Parses a numeric CSV field; undefined when it is not a finite number. */
export function parseNumber(field: string): number | undefined {
  const t = field.trim();
  if (t.length === 0) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}
