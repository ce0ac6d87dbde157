import { promises as fs } from 'node:fs';
import { findPreset, TEACHER_PLACEHOLDER } from '../../../shared/presets.js';
import { LabFailure } from '../../../shared/result.js';
import type { RunStatus } from '../../../shared/run-types.js';
import {
  optList,
  optString,
  UsageError,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';
import { formatDuration, pct } from '../format.js';
import { watchRuns } from '../run-watch.js';
import { EXECUTOR_USAGE, executorFromArgs, slurmOptionsFromArgs } from './cluster-args.js';
import { followSubmission } from './cluster-follow.js';
import type { LabHost } from '../../host/lab-host.js';
import { withHost } from './host-context.js';

/** Sets `a.b.c=value` in a plain object (value parsed as JSON when it parses, else a string). */
export function setPath(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set expects key.path=value, got "${assignment}"`);
  const keys = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: a plain string.
  }
  let node = target;
  keys.slice(0, -1).forEach((k) => {
    const next = node[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  });
  node[keys[keys.length - 1] ?? ''] = value;
}

/** The spec a `run` invocation describes: a file or a preset, with overrides. */
export async function specFromArgs(args: ParsedArgs): Promise<Record<string, unknown>> {
  const presetId = optString(args, 'preset');
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
  const teacher = optString(args, 'teacher');
  if (teacher) spec.teacher = teacher.includes('/') ? { checkpoint: teacher } : { run: teacher };
  for (const [flag, key] of [
    ['seed', 'training.seed'],
    ['epochs', 'training.epochs'],
    ['backend', 'backend'],
    ['dataset', 'dataset'],
    ['method', 'method'],
  ] as const) {
    const v = optString(args, flag);
    if (v !== undefined) setPath(spec, `${key}=${v}`);
  }
  for (const s of optList(args, 'set')) setPath(spec, s);
  return spec;
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
export const runCommand: Command = {
  name: 'run',
  summary: 'train a run from a spec file or a preset, with a progress bar',
  usage: [
    'lgg-lab run <spec.json> | --preset <name> [options]',
    '  --teacher <run-id|checkpoint-folder>   teacher of a distillation run',
    '  --seed N  --epochs N  --backend auto|tensorflow-gpu|tensorflow|wasm|cpu  --dataset ID  --method M',
    '  --set key.path=value                   any spec field (repeatable), e.g. --set training.lr=0.05',
    `  (a distillation preset needs --teacher; its placeholder is "${TEACHER_PLACEHOLDER}")`,
    ...EXECUTOR_USAGE,
  ].join('\n'),
  async run(args, ctx) {
    const spec = await specFromArgs(args);
    return withHost(ctx, async (host) => {
      const executor = executorFromArgs(args, host);
      const started = await host.request('lab:runs.start', { spec, ...(executor ? { executor } : {}) });
      if (!started.ok) throw new LabFailure(started.error.code, started.error.message, started.error.details);
      const id = started.value.id;
      if (started.value.submission) return followSubmission(host, ctx, args, started.value.submission);
      ctx.out(`run ${id} → ${host.runs.dir(id)}`);
      const t0 = Date.now();
      return reportFinished(host, ctx, await watchRuns(host, [id], ctx), t0);
    });
  },
};

/** `lgg-lab resume`. */
export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue an interrupted, cancelled or failed run from its last checkpoint',
  usage: [
    'lgg-lab resume <run-id> [--detach]',
    '  A cluster run’s task is resubmitted to Slurm with its own options; --time, --mem, --partition,',
    '  … (see lgg-lab help study) replace them.',
  ].join('\n'),
  async run(args, ctx) {
    const id = args.positionals[0];
    if (!id) throw new UsageError('which run? (lgg-lab list)');
    return withHost(ctx, async (host) => {
      const given = slurmOptionsFromArgs(args);
      const override = Object.values(given).some((v) => (Array.isArray(v) ? v.length > 0 : v !== undefined));
      const r = await host.request('lab:runs.resume', { id, ...(override ? { slurm: given } : {}) });
      if (!r.ok) throw new LabFailure(r.error.code, r.error.message);
      ctx.out(`resuming ${id} from its last checkpoint`);
      if (r.value.submission) return followSubmission(host, ctx, args, r.value.submission);
      const statuses = await watchRuns(host, [id], ctx);
      return reportOutcome(
        ctx,
        statuses,
        (i) => host.runs.dir(i),
        async (i) => (await host.runs.report(i))?.testAcc,
      );
    });
  },
};
