import type { ImportPreview, ImportProgress, SourceFormat } from '../../../shared/dataset-types.js';
import { LabFailure } from '../../../shared/result.js';
import { DatasetStore, type ImportOptions } from '../../host/datasets/dataset-store.js';
import { parseImageSize, parseKeys } from '../../host/datasets/import-options.js';
import {
  optFlag,
  optNumber,
  optString,
  UsageError,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';

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

function oneOf<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[]): T | undefined {
  const v = optString(args, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${v}")`);
  return v as T;
}

/** ImportOptions from the command line. */
export function importOptionsFromArgs(args: ParsedArgs): ImportOptions {
  const o: ImportOptions = {};
  const name = optString(args, 'name');
  if (name !== undefined) o.name = name;
  const format = oneOf(args, 'format', FORMATS);
  if (format) o.format = format;
  try {
    const size = optString(args, 'image-size');
    if (size !== undefined) o.imageSize = parseImageSize(size);
    const keys = optString(args, 'keys');
    if (keys !== undefined) o.npzKeys = parseKeys(keys);
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const color = oneOf(args, 'color', ['grey', 'gray', 'rgb'] as const);
  if (color) o.color = color === 'rgb' ? 'rgb' : 'grey';
  const resize = oneOf(args, 'resize', ['area', 'bilinear', 'auto'] as const);
  if (resize) o.resize = resize;
  const labelSet = oneOf(args, 'label-set', ['fine', 'coarse'] as const);
  if (labelSet) o.labelSet = labelSet;
  const layout = oneOf(args, 'layout', ['nhwc', 'nchw'] as const);
  if (layout) o.layout = layout;
  const column = optString(args, 'label-column');
  if (column !== undefined) o.csvLabelColumn = /^-?\d+$/.test(column) ? Number(column) : column;
  const fraction = optNumber(args, 'test-fraction');
  if (fraction !== undefined) o.testFraction = fraction;
  const seed = optNumber(args, 'seed');
  if (seed !== undefined) o.splitSeed = seed;
  const link = optString(args, 'link-to');
  if (link !== undefined) o.linkTo = link;
  const classes = optString(args, 'class-names');
  if (classes !== undefined) o.classNames = classes.split(',').map((s) => s.trim());
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
  for (const note of p.notes ?? []) lines.push(`Note:      ${note}`);
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
export const importCommand: Command = {
  name: 'import',
  summary: 'import a dataset (MNIST-family IDX, CIFAR, image folder, .npy/.npz, CSV, corruption suite)',
  usage: [
    'usage: lgg-lab import <path> [--name N] [--dry-run] [format options]',
    '',
    '  <path>               a file or folder; the format is detected',
    '  --name N             display name (default: from the source)',
    '  --dry-run            print the preview only',
    `  --format F           force a format: ${FORMATS.join(', ')}`,
    '  --image-size S       image folders: 32 or HxW (default: the images’ size up to 64, else 32)',
    '  --color grey|rgb     image folders: stored colour (default: grey if the images are grey)',
    '  --resize area|bilinear|auto   image folders: resampling (default auto)',
    '  --label-set fine|coarse       CIFAR-100 labels (default fine)',
    '  --keys trainX=a,trainY=b,...  .npy/.npz array names (roles trainX trainY testX testY x y)',
    '  --layout nhwc|nchw   NumPy image layout (default: detected)',
    '  --label-column C     CSV label column, by name or 0-based index',
    '  --test-fraction F    held-out fraction when the source has no test split (default 0.2)',
    '  --seed S             seed of that split (default 0)',
    '  --link-to ID         corruption suites: the clean dataset (default: matched by name)',
    '  --class-names a,b,…  override the class names',
  ].join('\n'),
  async run(args, ctx): Promise<number> {
    const source = args.positionals[0];
    if (!source) throw new UsageError('missing <path>');
    if (args.positionals.length > 1)
      throw new UsageError(`unexpected argument "${args.positionals[1] ?? ''}" (quote paths with spaces)`);
    const options = importOptionsFromArgs(args);
    const store = new DatasetStore(ctx.dataDir);
    const preview = await store.preview(source, options);
    for (const line of describePreview(preview)) ctx.out(line);
    if (optFlag(args, 'dry-run')) return 0;
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
};
