import { promises as fs } from 'node:fs';
import { findPreset, TEACHER_PLACEHOLDER } from '../../../shared/presets.js';
import { LabFailure } from '../../../shared/result.js';
import type { RunStatus } from '../../../shared/run-types.js';
import {
  defineCommand,
  UsageError,
  type CliContext,
  type OptionValues,
  type ParsedArgs,
} from '../command.js';
import { formatDuration, pct } from '../format.js';
import { watchRuns } from '../run-watch.js';
import type { LabHost } from '../../host/lab-host.js';
import { backendOption, backendOptionSpec } from '../backend-option.js';
import { resolveRunId } from '../../host/runs/run-lookup.js';
import { EXECUTOR_OPTIONS, executorFromArgs, SLURM_OPTIONS, slurmOptionsFromArgs } from './cluster-args.js';
import { followSubmission } from './cluster-follow.js';
import { withHost } from './host-context.js';

/** Sets `a.b.c=value` in a plain object (value parsed as JSON when it parses, else a string). */
export function setPath(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set expects key.path=value, got "${assignment}"`);
  const keys = assignment.slice(0, eq).split('.');
  // `__proto__.x=1` would write into Object.prototype (every object of the process), not the spec.
  const bad = keys.find((k) => k === '' || k === '__proto__' || k === 'constructor' || k === 'prototype');
  if (bad !== undefined)
    throw new UsageError(
      `--set ${assignment.slice(0, eq)}: ${bad === '' ? 'an empty key segment' : `"${bad}" is not a spec field`}`,
    );
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: a plain string.
  }
  let node = target;
  keys.slice(0, -1).forEach((k) => {
    const next = Object.hasOwn(node, k) ? node[k] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  });
  node[keys[keys.length - 1] ?? ''] = value;
}

/** Options that change an experiment spec; `run` and `study` (for its base experiment) share them. */
export const SPEC_OPTIONS = {
  preset: {
    type: 'string',
    value: 'NAME',
    help: 'start from a preset instead of a spec file (lgg-lab presets)',
  },
  teacher: {
    type: 'string',
    value: 'RUN-ID|FOLDER',
    help: 'teacher of a distillation run: a completed run, or a checkpoint folder (a path with a /)',
  },
  epochs: { type: 'number', help: 'training.epochs' },
  backend: backendOptionSpec('compute backend'),
  threads: {
    type: 'string',
    value: 'N|auto',
    help: 'CPU threads: data-parallel replicas on wasm and cpu (auto: the cores free when the run starts)',
  },
  dataset: { type: 'string', value: 'ID', help: 'dataset id (lgg-lab datasets)' },
  method: { type: 'string', value: 'M', help: 'method of the experiment’s kind' },
  set: {
    type: 'string',
    multiple: true,
    value: 'KEY.PATH=VALUE',
    help: 'any spec field, e.g. training.lr=0.05 (value as JSON, else text)',
  },
} as const;

/** Applies the override options to a spec object: the flags first, then every `--set` in order. */
export function applySpecOverrides(
  spec: Record<string, unknown>,
  o: OptionValues<typeof SPEC_OPTIONS> & { readonly seed?: number },
): void {
  if (o.teacher) spec.teacher = o.teacher.includes('/') ? { checkpoint: o.teacher } : { run: o.teacher };
  const flags: [string | number | undefined, string][] = [
    [o.seed, 'training.seed'],
    [o.epochs, 'training.epochs'],
    [backendOption(o.backend), 'backend'],
    [o.threads, 'threads'],
    [o.dataset, 'dataset'],
    [o.method, 'method'],
  ];
  for (const [v, key] of flags) if (v !== undefined) setPath(spec, `${key}=${String(v)}`);
  for (const s of o.set ?? []) setPath(spec, s);
}

/** The spec a `run` invocation describes: a file or a preset, with overrides. */
export async function specFromArgs(
  args: ParsedArgs<typeof SPEC_OPTIONS>,
  seed?: number,
): Promise<Record<string, unknown>> {
  const presetId = args.options.preset;
  const file = args.positionals[0];
  if (!presetId === !file) throw new UsageError('give either a spec file or --preset <name>');
  let spec: Record<string, unknown>;
  if (presetId) {
    const preset = findPreset(presetId);
    if (!preset) throw new UsageError(`no preset "${presetId}" (see lgg-lab presets)`);
    spec = structuredClone(preset.spec);
  } else {
    try {
      spec = JSON.parse(await fs.readFile(file ?? '', 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new LabFailure('invalid-spec', `${file}: ${(e as Error).message}`);
    }
  }
  applySpecOverrides(spec, { ...args.options, ...(seed !== undefined ? { seed } : {}) });
  return spec;
}

/** Replaces a teacher run typed as a unique prefix (or tail) of its id by the whole id. */
export async function resolveTeacher(host: LabHost, spec: Record<string, unknown>): Promise<void> {
  const t = spec.teacher as { run?: unknown } | undefined;
  if (!t || typeof t.run !== 'string' || t.run === TEACHER_PLACEHOLDER) return;
  try {
    t.run = await resolveRunId(host.runs, t.run);
  } catch (e) {
    // Say which run of the command line was not found: the teacher, not the one being started.
    if (e instanceof LabFailure) throw new LabFailure(e.code, `teacher: ${e.message}`, e.details);
    throw e;
  }
}

/** Prints the outcome of finished runs and returns the exit code. */
export async function reportOutcome(
  ctx: CliContext,
  statuses: RunStatus[],
  folder: (id: string) => string,
  test: (id: string) => Promise<number | undefined>,
): Promise<number> {
  let code = 0;
  for (const s of statuses) {
    const acc = await test(s.id);
    ctx.out(
      `${s.id}: ${s.state}${acc !== undefined ? ` · test accuracy ${pct(acc)}` : ''} · ${folder(s.id)}`,
    );
    if (s.error) ctx.err(`  ${s.error.message}`);
    if (s.state === 'interrupted' || s.state === 'cancelled')
      ctx.out(`  resume with: lgg-lab resume ${s.id}`);
    if (s.state === 'failed') code = 1;
    if (s.state === 'interrupted' || s.state === 'cancelled') code = 130;
  }
  return code;
}

/** Prints how long the runs took and their outcome; returns the exit code. */
export function reportFinished(
  host: LabHost,
  ctx: CliContext,
  statuses: RunStatus[],
  t0: number,
): Promise<number> {
  ctx.out(`finished in ${formatDuration((Date.now() - t0) / 1000)}`);
  return reportOutcome(
    ctx,
    statuses,
    (i) => host.runs.dir(i),
    async (i) => (await host.runs.report(i))?.testAcc,
  );
}

/** `lgg-lab run`. */
export const runCommand = defineCommand({
  name: 'run',
  summary: 'train a run from a spec file or a preset, with a progress bar',
  usage: [
    'lgg-lab run <spec.json> | --preset <name> [options]',
    `  (a distillation preset needs --teacher; its placeholder is "${TEACHER_PLACEHOLDER}")`,
  ].join('\n'),
  options: { ...SPEC_OPTIONS, seed: { type: 'number', help: 'training.seed' }, ...EXECUTOR_OPTIONS },
  maxPositionals: 1,
  async run(args, ctx) {
    const spec = await specFromArgs(args, args.options.seed);
    return withHost(ctx, async (host) => {
      await resolveTeacher(host, spec);
      const executor = executorFromArgs(args.options, host);
      const started = await host.request('lab:runs.start', { spec, ...(executor ? { executor } : {}) });
      if (!started.ok) throw new LabFailure(started.error.code, started.error.message, started.error.details);
      const id = started.value.id;
      if (started.value.submission)
        return followSubmission(host, ctx, args.options.detach === true, started.value.submission);
      ctx.out(`run ${id} → ${host.runs.dir(id)}`);
      const t0 = Date.now();
      return reportFinished(host, ctx, await watchRuns(host, [id], ctx), t0);
    });
  },
});

/** `lgg-lab resume`. */
export const resumeCommand = defineCommand({
  name: 'resume',
  summary: 'continue an interrupted, cancelled or failed run from its last checkpoint',
  usage: [
    'lgg-lab resume <run> [--backend B]   (the run id, or a unique start or end of it)',
    '  A cluster run’s task is resubmitted to Slurm with its own options; the Slurm options replace them.',
  ].join('\n'),
  options: {
    backend: backendOptionSpec('continue on another backend than the spec’s (e.g. wasm after a GPU error)'),
    ...SLURM_OPTIONS,
  },
  maxPositionals: 1,
  async run(args, ctx) {
    const typed = args.positionals[0];
    if (!typed) throw new UsageError('which run? (lgg-lab list)');
    const backend = backendOption(args.options.backend);
    return withHost(ctx, async (host) => {
      const id = await resolveRunId(host.runs, typed);
      const slurm = slurmOptionsFromArgs(args.options);
      const r = await host.request('lab:runs.resume', {
        id,
        ...(backend ? { backend } : {}),
        ...(slurm ? { slurm } : {}),
      });
      if (!r.ok) throw new LabFailure(r.error.code, r.error.message);
      ctx.out(`resuming ${id} ${r.value.note}${backend ? ` on ${backend}` : ''}`);
      if (r.value.submission)
        return followSubmission(host, ctx, args.options.detach === true, r.value.submission);
      const statuses = await watchRuns(host, [id], ctx);
      return reportOutcome(
        ctx,
        statuses,
        (i) => host.runs.dir(i),
        async (i) => (await host.runs.report(i))?.testAcc,
      );
    });
  },
});
