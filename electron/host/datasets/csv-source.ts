import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chooseClassNames } from './class-names.js';
import { csvRecords, detectDelimiter, parseNumber } from './csv-records.js';
import { corrupt, failure, invalid, tooLarge } from './errors.js';
import { listFolder, stem } from './fs-list.js';
import { LIMITS } from './limits.js';
import type { ImportSource, OpenContext, SourceSplit } from './source.js';
import { countClasses, planPool, SplitRouter } from './split-assign.js';
import type { ExampleSink } from './split-writer.js';

/** Label column names, by priority (`y` last: it is also a coordinate name). */
const LABEL_NAMES = ['label', 'labels', 'class', 'target', 'category', 'species', 'y'];

interface CsvTable {
  file: string;
  split: 'train' | 'test';
  header: string[];
  hasHeader: boolean;
  delimiter: string;
  labelCol: number;
  /** Label per row as an index into the raw label list (remapped once class names are sorted). */
  labels: Int32Array;
  rows: number;
}

function pickLabelColumn(
  header: string[],
  hasHeader: boolean,
  opt: string | number | undefined,
  where: string,
): number {
  if (typeof opt === 'number' || (typeof opt === 'string' && /^-?\d+$/.test(opt))) {
    const i = Number(opt);
    const col = i < 0 ? header.length + i : i;
    if (col < 0 || col >= header.length)
      throw invalid(where, `label column ${i} out of range (${header.length} columns)`);
    return col;
  }
  if (opt !== undefined) {
    const col = header.findIndex((h) => h.trim() === opt);
    if (col < 0 || !hasHeader)
      throw invalid(where, `no column named "${opt}" (columns: ${header.join(', ')})`);
    return col;
  }
  const lower = header.map((h) => h.trim().toLowerCase());
  for (const name of hasHeader ? LABEL_NAMES : []) {
    const col = lower.indexOf(name);
    if (col >= 0) return col;
  }
  return header.length - 1;
}

/** First pass over a CSV file: header, label column, row count, label values; checks every feature is numeric. */
async function scanCsv(
  file: string,
  split: 'train' | 'test',
  ctx: OpenContext,
  rawLabels: Map<string, number>,
): Promise<CsvTable> {
  const where = path.basename(file);
  let table: CsvTable | undefined;
  let labels = new Int32Array(1024);
  let rows = 0;
  const delimiter = await detectDelimiter(file);
  for await (const { fields, lineNo } of csvRecords(file, delimiter)) {
    if (!table) {
      if (fields.length < 2)
        throw failure('unsupported-format', `${where}: needs at least one feature column and a label column`);
      const guessCol = pickLabelColumn(fields, true, ctx.options.csvLabelColumn, where);
      const hasHeader = fields.some((f, i) => i !== guessCol && parseNumber(f) === undefined);
      const header = hasHeader ? fields.map((f) => f.trim()) : fields.map((_, i) => `column ${i}`);
      table = {
        file,
        split,
        header,
        hasHeader,
        delimiter,
        labelCol: pickLabelColumn(header, hasHeader, ctx.options.csvLabelColumn, where),
        labels,
        rows: 0,
      };
      if (hasHeader) continue;
    }
    if (fields.length !== table.header.length)
      throw corrupt(where, `line ${lineNo} has ${fields.length} fields, expected ${table.header.length}`);
    for (let i = 0; i < fields.length; i++) {
      if (i !== table.labelCol && parseNumber(fields[i] as string) === undefined) {
        const v = (fields[i] as string).trim();
        throw invalid(
          where,
          `line ${lineNo}, column "${table.header[i] ?? i}": ${v ? `"${v.slice(0, 40)}" is not a number` : 'missing value'} (features must be numeric)`,
        );
      }
    }
    const key = (fields[table.labelCol] as string).trim();
    if (key.length === 0) throw invalid(where, `line ${lineNo}: empty label`);
    let id = rawLabels.get(key);
    if (id === undefined) {
      if (rawLabels.size >= LIMITS.maxClasses)
        throw invalid(
          where,
          `more than ${LIMITS.maxClasses} distinct labels; is "${table.header[table.labelCol] ?? ''}" the label column?`,
        );
      id = rawLabels.size;
      rawLabels.set(key, id);
    }
    if (rows === labels.length) {
      const grown = new Int32Array(labels.length * 2);
      grown.set(labels);
      labels = grown;
    }
    labels[rows++] = id;
    if (rows * table.header.length > LIMITS.maxElements)
      throw tooLarge(where, `more than ${LIMITS.maxElements} values`);
    if (rows % 4096 === 0) await ctx.job.breathe();
  }
  if (!table || rows === 0) throw invalid(where, 'no data rows');
  return { ...table, labels: labels.subarray(0, rows), rows };
}

/** Sorted class names: numerically when every label is a number, else by code point. */
function sortLabels(raw: string[]): string[] {
  const numeric = raw.every((s) => parseNumber(s) !== undefined);
  return [...raw].sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Second pass: feature rows in batches, with their labels. */
async function* csvBatches(t: CsvTable): AsyncGenerator<[Float32Array, Int32Array]> {
  const f = t.header.length - 1;
  const batch = 4096;
  let x = new Float32Array(batch * f);
  let row = 0;
  let inBatch = 0;
  let first = true;
  for await (const { fields } of csvRecords(t.file, t.delimiter)) {
    if (first && t.hasHeader) {
      first = false;
      continue;
    }
    first = false;
    if (fields.length !== t.header.length) throw corrupt(path.basename(t.file), 'changed while importing');
    let j = 0;
    for (let i = 0; i < fields.length; i++)
      if (i !== t.labelCol) x[inBatch * f + j++] = parseNumber(fields[i] as string) ?? Number.NaN;
    inBatch++;
    row++;
    if (inBatch === batch) {
      yield [x, t.labels.slice(row - inBatch, row)];
      x = new Float32Array(batch * f);
      inBatch = 0;
    }
  }
  if (row !== t.rows) throw corrupt(path.basename(t.file), 'changed while importing');
  if (inBatch > 0) yield [x.subarray(0, inBatch * f), t.labels.slice(row - inBatch, row)];
}

/** Opens a CSV of numeric features plus a label column, or a folder with `train.csv` and `test.csv`. */
export async function openCsv(sourcePath: string, ctx: OpenContext): Promise<ImportSource> {
  const isFile = (await fs.stat(sourcePath)).isFile();
  let files: { file: string; split: 'train' | 'test' }[];
  if (isFile) files = [{ file: sourcePath, split: 'train' }];
  else {
    const csvs = (await listFolder(sourcePath, ctx.options)).files.filter((f) => /\.(csv|tsv)$/i.test(f));
    const train = csvs.find((f) => /train/i.test(f));
    const test = csvs.find((f) => /(test|val)/i.test(f));
    if (train && test)
      files = [
        { file: path.join(sourcePath, train), split: 'train' },
        { file: path.join(sourcePath, test), split: 'test' },
      ];
    else if (csvs.length === 1) files = [{ file: path.join(sourcePath, csvs[0] as string), split: 'train' }];
    else
      throw failure('unsupported-format', `${sourcePath}: expected one .csv file, or train.csv and test.csv`);
  }
  const rawLabels = new Map<string, number>();
  const tables: CsvTable[] = [];
  for (const f of files) tables.push(await scanCsv(f.file, f.split, ctx, rawLabels));
  const first = tables[0] as CsvTable;
  for (const t of tables) {
    if (t.header.length !== first.header.length)
      throw invalid(
        path.basename(t.file),
        `${t.header.length} columns, but ${path.basename(first.file)} has ${first.header.length}`,
      );
  }
  const sorted = sortLabels([...rawLabels.keys()]);
  const remap = new Int32Array(rawLabels.size);
  sorted.forEach((name, i) => (remap[rawLabels.get(name) as number] = i));
  for (const t of tables) t.labels = Int32Array.from(t.labels, (v) => remap[v] ?? 0);
  const classNames = chooseClassNames(sorted.length, sorted, ctx.options.classNames);
  const features = first.header.length - 1;
  const warnings = [
    `label column "${first.header[first.labelCol] ?? ''}" with ${sorted.length} classes; ${features} feature columns`,
  ];
  const pool = tables.length === 1 ? planPool(first.labels, classNames.length, ctx.options) : undefined;
  if (pool)
    warnings.push(
      `one file; ${pool.splits[1]?.count ?? 0} rows held out as the test split (seed ${ctx.options.splitSeed ?? 0})`,
    );
  const splits: SourceSplit[] =
    pool?.splits ??
    tables.map((t) => ({
      name: t.split,
      count: t.rows,
      countsPerClass: countClasses(t.labels, classNames.length),
    }));
  return {
    format: 'csv',
    name: isFile ? stem(sourcePath) : path.basename(sourcePath),
    kind: 'tabular',
    shape: [features],
    dtype: 'float64',
    classNames,
    splits,
    warnings,
    files: isFile ? [''] : files.map((f) => path.basename(f.file)),
    root: sourcePath,
    samples: () => Promise.resolve([]),
    async emit(writer, job): Promise<void> {
      job.phase('writing');
      const router = pool ? await SplitRouter.open(writer, pool, features) : undefined;
      for (const t of tables) {
        const sink: ExampleSink = router ?? (await writer.split(t.split, t.rows));
        for await (const [x, y] of csvBatches(t)) {
          await sink.write(x, y);
          await job.breathe();
        }
      }
    },
  };
}
