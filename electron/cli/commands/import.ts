import type { ImportPreview, ImportProgress, SourceFormat } from '../../../shared/dataset-types.js';
import { LabFailure } from '../../../shared/result.js';
import { DatasetStore, type ImportOptions } from '../../host/datasets/dataset-store.js';
import { parseImageSize, parseKeys } from '../../host/datasets/import-options.js';
import { defineCommand, oneOf, UsageError, type CliContext, type OptionValues } from '../command.js';

const FORMATS: SourceFormat[] = [
  'idx',
  'cifar10',
  'cifar100',
  'imagefolder',
  'npy',
  'npz',
  'csv',
  'corruptions',
];

/** Options of `lgg-lab import`. */
const IMPORT_OPTIONS = {
  name: { type: 'string', value: 'N', help: 'display name (default: from the source)' },
  'dry-run': { type: 'boolean', help: 'print the preview only' },
  format: { type: 'string', value: 'F', help: `force a format: ${FORMATS.join(', ')}` },
  'image-size': {
    type: 'string',
    value: 'S',
    help: 'image folders: 32 or HxW (default: the images’ size up to 64, else 32)',
  },
  color: { type: 'string', value: 'grey|rgb', help: 'image folders: stored colour (default: as the images)' },
  resize: { type: 'string', value: 'area|bilinear|auto', help: 'image folders: resampling (default auto)' },
  'label-set': { type: 'string', value: 'fine|coarse', help: 'CIFAR-100 labels (default fine)' },
  keys: {
    type: 'string',
    value: 'trainX=a,trainY=b,…',
    help: '.npy/.npz array names (roles trainX trainY testX testY x y)',
  },
  layout: { type: 'string', value: 'nhwc|nchw', help: 'NumPy image layout (default: detected)' },
  'label-column': { type: 'string', value: 'C', help: 'CSV label column, by name or 0-based index' },
  'test-fraction': {
    type: 'number',
    value: 'F',
    help: 'held-out fraction when the source has no test split (default 0.2)',
  },
  seed: { type: 'number', value: 'S', help: 'seed of that split (default 0)' },
  'link-to': { type: 'string', value: 'ID', help: 'corruption suites: the clean dataset (default: by name)' },
  'class-names': { type: 'string', value: 'a,b,…', help: 'override the class names' },
  'follow-links': {
    type: 'boolean',
    help: 'follow symbolic links inside the source folder (default: listed, not followed)',
  },
} as const;

/** ImportOptions from the command line. */
export function importOptionsFromArgs(a: OptionValues<typeof IMPORT_OPTIONS>): ImportOptions {
  const o: ImportOptions = {};
  if (a.name !== undefined) o.name = a.name;
  const format = oneOf('format', a.format, FORMATS);
  if (format) o.format = format;
  try {
    if (a['image-size'] !== undefined) o.imageSize = parseImageSize(a['image-size']);
    if (a.keys !== undefined) o.npzKeys = parseKeys(a.keys);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const color = oneOf('color', a.color, ['grey', 'gray', 'rgb'] as const);
  if (color) o.color = color === 'rgb' ? 'rgb' : 'grey';
  const resize = oneOf('resize', a.resize, ['area', 'bilinear', 'auto'] as const);
  if (resize) o.resize = resize;
  const labelSet = oneOf('label-set', a['label-set'], ['fine', 'coarse'] as const);
  if (labelSet) o.labelSet = labelSet;
  const layout = oneOf('layout', a.layout, ['nhwc', 'nchw'] as const);
  if (layout) o.layout = layout;
  const column = a['label-column'];
  if (column !== undefined) o.csvLabelColumn = /^-?\d+$/.test(column) ? Number(column) : column;
  if (a['test-fraction'] !== undefined) o.testFraction = a['test-fraction'];
  if (a.seed !== undefined) o.splitSeed = a.seed;
  if (a['link-to'] !== undefined) o.linkTo = a['link-to'];
  if (a['class-names'] !== undefined) o.classNames = a['class-names'].split(',').map((s) => s.trim());
  if (a['follow-links']) o.followLinks = true;
  return o;
}

const n = (v: number): string => v.toLocaleString('en-US');

/** The preview as text lines. */
export function describePreview(p: ImportPreview): string[] {
  const lines: string[] = [];
  const shape = p.kind === 'tabular' ? `${p.shape[0] ?? 0} features` : p.shape.join('×');
  lines.push(`Format:    ${p.format} → ${p.kind} (${shape}, source ${p.dtype})`);
  lines.push(`Name:      ${p.name}`);
  const shown = p.classNames.slice(0, 12).join(', ');
  lines.push(`Classes:   ${p.classNames.length}: ${shown}${p.classNames.length > 12 ? ', …' : ''}`);
  for (const [split, s] of Object.entries(p.splits)) {
    const per = s.countsPerClass.length <= 20 ? `  [${s.countsPerClass.join(' ')}]` : '';
    lines.push(`${`${split}:`.padEnd(11)}${n(s.count)} examples${per}`);
  }
  if (p.corruptions) lines.push(`Corruptions: ${p.corruptions.length}: ${p.corruptions.join(', ')}`);
  if (p.duplicateOf)
    lines.push(
      `Note:      the same source was imported before as "${p.duplicateOf}" (importing again under another name is allowed)`,
    );
  for (const w of p.warnings) lines.push(`Warning:   ${w}`);
  return lines;
}

function progressPrinter(ctx: CliContext): (p: ImportProgress) => void {
  let lastPhase = '';
  let lastAt = 0;
  let lastQuarter = -1;
  return (p) => {
    const now = Date.now();
    const quarter = Math.floor(p.fraction * 4);
    // A terminal gets a line per second; a log gets phases and quarters only.
    const due = ctx.tty ? now - lastAt >= 1000 : quarter !== lastQuarter;
    if (p.phase === lastPhase && !due) return;
    if (p.phase === 'done' || p.phase === 'failed' || p.phase === 'cancelled') return;
    lastPhase = p.phase;
    lastAt = now;
    lastQuarter = quarter;
    ctx.out(
      `  ${p.phase.padEnd(10)} ${String(Math.round(p.fraction * 100)).padStart(3)} %  ${n(p.done)} / ${n(p.total)}`,
    );
  };
}

/** `lgg-lab import <path>`: preview a dataset source, then import it into the store. */
export const importCommand = defineCommand({
  name: 'import',
  summary: 'import a dataset (MNIST-family IDX, CIFAR, image folder, .npy/.npz, CSV, corruption suite)',
  usage: [
    'usage: lgg-lab import <path> [--name N] [--dry-run] [format options]',
    '',
    '  <path>   a file or folder; the format is detected',
  ].join('\n'),
  options: IMPORT_OPTIONS,
  maxPositionals: 1,
  async run(args, ctx): Promise<number> {
    const source = args.positionals[0];
    if (!source) throw new UsageError('missing <path>');
    const options = importOptionsFromArgs(args.options);
    const store = new DatasetStore(ctx.dataDir);
    const preview = await store.preview(source, options);
    for (const line of describePreview(preview)) ctx.out(line);
    if (args.options['dry-run']) return 0;
    ctx.out('');
    const t0 = Date.now();
    try {
      const meta = await store.import(source, {
        ...options,
        name: preview.name,
        onProgress: progressPrinter(ctx),
        signal: ctx.signal,
      });
      const examples = (meta.splits.train?.count ?? 0) + (meta.splits.test?.count ?? 0);
      ctx.out(
        `Imported "${meta.name}" as ${meta.id}: ${n(examples)} examples, ${(meta.bytes / 1e6).toFixed(1)} MB, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      return 0;
    } catch (e) {
      if (e instanceof LabFailure && e.code === 'cancelled') {
        ctx.err('import cancelled; nothing was written');
        return 130;
      }
      throw e;
    }
  },
});
