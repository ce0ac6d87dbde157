import type { RunReport } from '../../../shared/run-types.js';
import { LabFailure } from '../../../shared/result.js';
import { formatReferenceValue } from '../../../shared/paper-reference.js';
import {
  EvaluationSchema,
  formatIssues,
  PROTOCOLS,
  runsProtocol,
  specIssues,
  type Evaluation,
  type Protocol,
} from '../../../shared/spec/index.js';
import type { LabHost } from '../../host/lab-host.js';
import { defineCommand, UsageError, type CliContext, type ParsedArgs } from '../command.js';
import { formatDuration, table } from '../format.js';
import { withHost } from './host-context.js';
import { setPath } from './run.js';
import { resolveRunId } from '../../host/runs/run-lookup.js';
import { grantThreads } from '../../../shared/threads.js';
import type { ThreadsChoice } from '../../../shared/spec/training.js';

/** The report table each protocol writes to. */
const PROTOCOL_TABLE: Record<Protocol, string> = {
  gaussian: 'gaussian',
  'fgsm-pixel': 'fgsm',
  'fgsm-normalised': 'fgsm',
  'pgd-any-iterate': 'pgd',
  'pgd-final-iterate': 'pgd',
  deepfool: 'deepfool',
  corruptions: 'corruptions',
  'corruptions-in-app': 'corruptions-in-app',
  'dropout-blocks': 'dropout',
  'dropout-relus': 'dropout',
  'quantise-truncate': 'quantization',
  'quantise-round': 'quantization',
};

/** Ids of the robustness suite tables an evaluation produces (the others in report.json are older). */
export function suiteTableIds(e: Evaluation): Set<string> {
  const ids = new Set(['clean']);
  for (const p of PROTOCOLS) if (runsProtocol(e, p)) ids.add(PROTOCOL_TABLE[p]);
  return ids;
}

/** "The paper beside your run": the report's reference rows, as a table (nothing without one). */
export function printReference(ctx: CliContext, report: RunReport): void {
  const ref = report.reference;
  if (!ref) return;
  ctx.out(`\nThe paper beside this run (${ref.preset}): ${ref.source}; ${ref.setting}`);
  if (ref.rows.length > 0) {
    ctx.out(
      table(
        ['protocol', 'figure', 'this run', 'paper', 'note'],
        ref.rows.map((r) => [
          r.protocol,
          r.label,
          formatReferenceValue(r.run, r.unit),
          formatReferenceValue(r.paper, r.unit),
          r.note ?? '',
        ]),
      ),
    );
  }
  for (const o of ref.orderings) ctx.out(`  paper: ${o}`);
  for (const n of ref.notes) ctx.out(`  note: ${n}`);
}

/** Prints a report's scalar metrics and tables (only the tables in `only`, when given). */
export function printReport(ctx: CliContext, report: RunReport, only?: ReadonlySet<string>): void {
  const metrics = Object.entries(report.metrics);
  if (metrics.length > 0) {
    ctx.out(
      table(
        ['metric', 'value'],
        metrics.map(([k, v]) => [k, Number.isFinite(v) ? v.toFixed(4) : String(v)]),
      ),
    );
  }
  for (const t of report.tables) {
    if (only && !only.has(t.id)) continue;
    ctx.out(`\n${t.title}`);
    ctx.out(
      table(
        t.columns,
        t.rows.map((row) => row.map((c) => (typeof c === 'number' ? String(c) : c))),
      ),
    );
  }
  printReference(ctx, report);
}

/** Options of `lgg-lab eval`. */
const EVAL_OPTIONS = {
  set: {
    type: 'string',
    multiple: true,
    value: 'evaluation.KEY=VALUE',
    help: 'change an item of the run’s evaluation suite (value as JSON, else text)',
  },
  json: { type: 'boolean', help: 'print report.json instead of the tables' },
  threads: {
    type: 'string',
    value: 'N|auto',
    help: 'CPU threads sharing the suite’s batches on wasm and cpu (auto: the cores no training run holds)',
  },
} as const;

/** The threads of an evaluation: `--threads`, else the run's own choice, granted like a run's. */
export function evalThreads(
  flag: string | undefined,
  own: ThreadsChoice,
  use: { cores: number; inUse: number },
): number {
  if (flag === undefined) return grantThreads(own, use.cores, use.inUse);
  if (flag === 'auto') return grantThreads('auto', use.cores, use.inUse);
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--threads expects a whole number ≥ 1 or auto, got "${flag}"`);
  return n;
}

/**
 * `lgg-lab eval` against a host: re-runs the evaluation suite of a completed run from its last
 * checkpoint (with `--set evaluation.…` overrides on the run's own suite) in an engine process,
 * merges it into report.json and prints the tables.
 */
export async function evalWithHost(
  host: LabHost,
  args: ParsedArgs<typeof EVAL_OPTIONS>,
  ctx: CliContext,
): Promise<number> {
  const typed = args.positionals[0];
  if (!typed) throw new UsageError('which run? (lgg-lab list)');
  const id = await resolveRunId(host.runs, typed);
  const [spec, status] = await Promise.all([host.runs.spec(id), host.runs.status(id)]);
  if (status.state !== 'completed')
    throw new LabFailure(
      'invalid-request',
      `run ${id} is ${status.state}; only a completed run can be evaluated`,
    );
  const sets = args.options.set ?? [];
  let evaluation: Evaluation | undefined;
  if (sets.length > 0 || spec.kind === 'robust') {
    if (spec.kind !== 'robust')
      throw new UsageError(`--set evaluation.…: a ${spec.kind} run has no robustness suite`);
    const raw = structuredClone(spec.evaluation) as Record<string, unknown>;
    for (const s of sets) setPath(raw, s.replace(/^evaluation\./, ''));
    const parsed = EvaluationSchema.safeParse(raw);
    if (!parsed.success) {
      throw new UsageError(
        formatIssues(specIssues(parsed.error).map((i) => ({ ...i, path: `evaluation.${i.path}` }))),
      );
    }
    evaluation = parsed.data;
  }
  const threads = evalThreads(args.options.threads, spec.threads, host.queue.threadUse());
  ctx.out(`evaluating ${id} (${spec.kind} · ${spec.method}) from its last checkpoint…`);
  const t0 = Date.now();
  let last = '';
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const o = await host.runJob(
      {
        type: 'evaluate',
        runDir: host.runs.dir(id),
        dataDir: host.options.dataDir,
        ...(evaluation ? { evaluation } : {}),
        threads,
      },
      {
        signal: ac.signal,
        onMessage: (m) => {
          if (m.type !== 'progress' || !m.progress.detail) return;
          const detail = m.progress.detail;
          if (ctx.tty) process.stdout.write(`\r\x1b[2K${detail}`);
          else if (detail.split(':')[0] !== last.split(':')[0]) ctx.out(detail);
          last = detail;
        },
      },
    );
    if (ctx.tty && last) process.stdout.write('\r\x1b[2K');
    if (o.outcome === 'cancelled') {
      ctx.err('evaluation cancelled; report.json is unchanged');
      return 130;
    }
    const report = o.value as RunReport;
    if (args.options.json) ctx.out(JSON.stringify(report, null, 2));
    else printReport(ctx, report, evaluation ? suiteTableIds(evaluation) : undefined);
    ctx.out(`\nevaluated in ${formatDuration((Date.now() - t0) / 1000)} · ${host.runs.dir(id)}/report.json`);
    return 0;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** `lgg-lab eval`. */
export const evalCommand = defineCommand({
  name: 'eval',
  summary: 're-run the evaluation suite of a finished run (robustness: noise, FGSM, PGD, corruptions, …)',
  usage: [
    'lgg-lab eval <run-id> [--set evaluation.key=value …] [--json]',
    '  runs the run’s own suite from its last checkpoint, merges the tables into report.json, prints them',
    '  e.g. --set evaluation.subset=2000   --set evaluation.pgd=\'[{"epsilon":0.1,"step":0.01,"iterations":40}]\'',
    '       --set evaluation.gaussian=null (skip an item)   --set evaluation.quantizationBits=[4,6,8]',
    '       --set \'evaluation.protocols=["deepfool","pgd-any-iterate"]\'   run only these protocols (the others keep their tables)',
    `  protocols: ${PROTOCOLS.join(', ')}`,
  ].join('\n'),
  options: EVAL_OPTIONS,
  maxPositionals: 1,
  run: (args, ctx) => withHost(ctx, (host) => evalWithHost(host, args, ctx)),
});
