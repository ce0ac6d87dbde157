import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabFailure } from '../../../shared/result.js';
import { findPreset } from '../../../shared/presets.js';
import { expandStudy, parseStudySpec, type StudySpecInput } from '../../../shared/spec/index.js';
import type { LabHost } from '../../host/lab-host.js';
import { refreshStudyReport, studyDir } from '../../host/studies/study-report.js';
import { defineCommand, UsageError, type CliContext, type ParsedArgs } from '../command.js';
import { watchRuns } from '../run-watch.js';
import { EXECUTOR_OPTIONS, executorFromArgs } from './cluster-args.js';
import { followSubmission } from './cluster-follow.js';
import { withHost } from './host-context.js';
import { applySpecOverrides, reportFinished, resolveTeacher, SPEC_OPTIONS, specFromArgs } from './run.js';

/** Options of `lgg-lab study`: the base experiment's overrides plus the study's own. */
const STUDY_OPTIONS = {
  ...SPEC_OPTIONS,
  methods: { type: 'string', value: 'a,b', help: 'methods of the base kind (default: the base’s method)' },
  seeds: { type: 'string', value: '0,1,2', help: 'training seeds (default 0,1,2)' },
  name: {
    type: 'string',
    value: 'NAME',
    help: 'study name (preset mode: defaults to the preset id); tags the runs',
  },
  'report-only': {
    type: 'boolean',
    help: 'rebuild the report from the runs already tagged with the study name',
  },
  ...EXECUTOR_OPTIONS,
  figures: {
    type: 'boolean',
    help: 'also render the figure set as SVG (curves with ± std bands, σˡ profiles, final-metric bars, LGG heatmaps)',
  },
  'figures-dir': {
    type: 'string',
    value: 'DIR',
    help: 'where to write the figure set (implies --figures; default <data folder>/studies/<name>/figures)',
  },
} as const;

type StudyArgs = ParsedArgs<typeof STUDY_OPTIONS>;

function list(value: string | undefined, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (items.length === 0) throw new UsageError(`--${what} expects a comma-separated list`);
  return items;
}

function seedList(value: string | undefined): number[] | undefined {
  return list(value, 'seeds')?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--seeds: "${s}" is not a non-negative integer`);
    return n;
  });
}

async function readStudyFile(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new LabFailure('invalid-spec', `${file}: ${(e as Error).message}`);
  }
}

/** The study an invocation describes: a study file, or a preset with methods and seeds; overrides applied to the base. */
export async function studyFromArgs(args: StudyArgs): Promise<StudySpecInput> {
  const file = args.positionals[0];
  const presetId = args.options.preset;
  if (!presetId === !file) throw new UsageError('give either a study file or --preset <name>');
  const methods = list(args.options.methods, 'methods');
  const seeds = seedList(args.options.seeds);
  let study: Record<string, unknown>;
  if (file) {
    study = await readStudyFile(file);
    const base = study.base;
    if (base === null || typeof base !== 'object' || Array.isArray(base))
      throw new LabFailure('invalid-spec', `${file}: "base" must be an experiment spec object`);
    applySpecOverrides(base as Record<string, unknown>, args.options);
  } else {
    const preset = findPreset(presetId ?? '');
    if (!preset) throw new UsageError(`no preset "${presetId}" (see lgg-lab presets)`);
    study = { kind: 'study', name: args.options.name ?? preset.id, base: await specFromArgs(args) };
  }
  const name = args.options.name;
  if (name) study.name = name;
  if (methods) study.methods = methods;
  if (seeds) study.seeds = seeds;
  return study as unknown as StudySpecInput;
}

/** The study name a `--report-only` invocation refers to: a study file's name, a preset's default, or the name itself. */
async function reportOnlyName(args: StudyArgs): Promise<string> {
  const target = args.options.name ?? args.positionals[0] ?? args.options.preset;
  if (!target) throw new UsageError('--report-only needs the study name (or its study file)');
  if (target.endsWith('.json')) {
    const s = await readStudyFile(target);
    if (typeof s.name !== 'string') throw new LabFailure('invalid-spec', `${target}: no study name`);
    return s.name;
  }
  return target;
}

/** Where `--figures` / `--figures-dir` ask for the figure set: undefined when not asked. */
function figuresDir(args: StudyArgs, dataDir: string, name: string): string | undefined {
  const dir = args.options['figures-dir'];
  if (dir) return path.resolve(dir);
  return args.options.figures ? path.join(studyDir(dataDir, name), 'figures') : undefined;
}

/**
 * Rebuilds the study report from the runs tagged with the name, writes report.md/csv and prints
 * it; with `figures`, renders the study's figure set (SVG) into that folder.
 */
export async function writeAndPrintStudy(
  host: LabHost,
  ctx: CliContext,
  name: string,
  methods?: readonly string[],
  figures?: string,
): Promise<boolean> {
  const r = await refreshStudyReport(host.runs, host.options.dataDir, name, methods);
  if (!r) {
    ctx.err(`no runs are tagged with the study "${name}"`);
    return false;
  }
  ctx.out(r.markdown);
  ctx.out(`report: ${r.files.markdown}\n        ${r.files.csv}`);
  if (figures) {
    // ECharts loads only when figures are asked for.
    const { writeFigures } = await import('../figures/index.js');
    const written = await writeFigures(
      host,
      r.summary.runs.map((run) => run.id),
      figures,
      { name },
    );
    ctx.out(`figures: ${written.length} SVG files in ${figures}`);
  }
  return true;
}

/**
 * `lgg-lab study` against a host: queues every method × seed of the study (`lab:runs.startStudy`),
 * follows them, then writes and prints the report. `--report-only` skips training.
 */
export async function studyWithHost(host: LabHost, args: StudyArgs, ctx: CliContext): Promise<number> {
  if (args.options['report-only']) {
    const name = await reportOnlyName(args);
    const figures = figuresDir(args, host.options.dataDir, name);
    return (await writeAndPrintStudy(host, ctx, name, undefined, figures)) ? 0 : 1;
  }
  const input = await studyFromArgs(args);
  await resolveTeacher(host, (input as { base: Record<string, unknown> }).base);
  const parsed = parseStudySpec(input);
  if (!parsed.ok) throw new LabFailure(parsed.error.code, parsed.error.message, parsed.error.details);
  const study = parsed.value;
  const methods = study.methods.length > 0 ? study.methods : [study.base.method];
  ctx.out(
    `study "${study.name}": ${methods.length} method(s) × ${study.seeds.length} seed(s) = ${expandStudy(study).length} runs`,
  );
  const executor = executorFromArgs(args.options, host);
  const t0 = Date.now();
  const started = await host.request('lab:runs.startStudy', {
    study: input,
    ...(executor ? { executor } : {}),
  });
  if (!started.ok) throw new LabFailure(started.error.code, started.error.message, started.error.details);
  const ids = started.value.ids;
  const figures = figuresDir(args, host.options.dataDir, study.name);
  if (started.value.submission)
    return followSubmission(host, ctx, args.options.detach === true, started.value.submission, () =>
      writeAndPrintStudy(host, ctx, study.name, methods, figures),
    );
  for (const id of ids) ctx.out(`  queued ${id}`);
  const code = await reportFinished(host, ctx, await watchRuns(host, ids, ctx), t0);
  ctx.out('');
  await writeAndPrintStudy(host, ctx, study.name, methods, figures);
  return code;
}

/** `lgg-lab study`. */
export const studyCommand = defineCommand({
  name: 'study',
  summary: 'run every method × seed of an experiment and report mean ± std per method (Markdown + CSV)',
  usage: [
    'lgg-lab study <study.json> [options]',
    'lgg-lab study --preset <name> [--methods a,b] [--seeds 0,1,2] [--name NAME] [options]',
    'lgg-lab study --report-only <study-name|study.json>',
    '  study.json: {"kind":"study","name":…,"base":<experiment spec>,"methods":[…],"seeds":[…]}',
    '  The spec options (--teacher, --epochs, --set …) change the base experiment.',
    'Writes <data folder>/studies/<name>/report.md and report.csv and prints the Markdown.',
    'With --executor slurm the runs are one job array; the batch script is studies/<name>/slurm-<time>/job.sh.',
  ].join('\n'),
  options: STUDY_OPTIONS,
  maxPositionals: 1,
  run: (args, ctx) => withHost(ctx, (host) => studyWithHost(host, args, ctx)),
});
