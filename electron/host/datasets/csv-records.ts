import { createReadStream } from 'node:fs';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse';
import { corrupt } from './errors.js';
import { readHead } from './file-chunks.js';
import { LIMITS } from './limits.js';

/** One record of a CSV file: its fields and the (1-based) line it ends on. */
export interface CsvRecord {
  /** Fields, unquoted, untrimmed. */
  fields: string[];
  /** Line the record ends on (a quoted field may span lines). */
  lineNo: number;
}

/** The most frequent of comma, semicolon and tab in the first line (read from the file's head). */
export async function detectDelimiter(file: string): Promise<string> {
  const head = new TextDecoder().decode(await readHead(file, 64 * 1024));
  const line = head.split(/\r?\n/, 1)[0] ?? '';
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

/**
 * The non-empty records of a UTF-8 CSV file (BOM removed), parsed by csv-parse: RFC 4180 quoting,
 * quoted fields spanning lines, any line ending. Streamed; a record longer than
 * {@link LIMITS.maxCsvLineBytes} (a binary file, an unclosed quote) and malformed quoting are
 * `dataset-corrupt` naming the file and the line.
 */
export async function* csvRecords(file: string, delimiter: string): AsyncGenerator<CsvRecord> {
  const label = path.basename(file);
  const input = createReadStream(file);
  const parser = parse({
    delimiter,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: LIMITS.maxCsvLineBytes,
    info: true,
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      // A line of blanks parses as one empty field: not a record.
      if (record.length === 1 && (record[0] ?? '').trim() === '') continue;
      yield { fields: record, lineNo: info.lines };
    }
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      const what =
        e.code === 'CSV_MAX_RECORD_SIZE'
          ? `a record longer than ${LIMITS.maxCsvLineBytes} bytes (binary file, or a quote never closed?)`
          : e.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quoted field is never closed'
            : e.message.replace(/^Invalid \w+: /, '');
      throw corrupt(label, `${line !== undefined ? `line ${line}: ` : ''}${what}`);
    }
    throw e;
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}

/** Parses a numeric CSV field; undefined when it is not a finite number. */
export function parseNumber(field: string): number | undefined {
  const t = field.trim();
  if (t.length === 0) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}
