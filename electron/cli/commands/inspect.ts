import type { SlurmTaskState } from '../../../shared/executor.js';
import { adapterLabel, adapterLimitsText } from '../../../shared/gpu-adapter.js';
import { PRESETS } from '../../../shared/presets.js';
import { LabFailure } from '../../../shared/result.js';
import { defineCommand, UsageError } from '../command.js';
import { formatNumber } from '../../../shared/format.js';
import { formatMetric, metricDef } from '../../../shared/metrics.js';
import { runDurationSec } from '../../../shared/progress.js';
import { resolveRunId } from '../../host/runs/run-lookup.js';
import { formatDuration, pct, table } from '../format.js';
import { slurmLabel } from '../cluster-watch.js';
import { backendOption, backendOptionSpec } from '../backend-option.js';
import { printReference } from './eval.js';
import { labVersion, withHost } from './host-context.js';

const JSON_OPTION = { json: { type: 'boolean', help: 'print JSON instead of a table' } } as const;

/** `lgg-lab presets`. */
export const presetsCommand = defineCommand({
  name: 'presets',
  summary: 'list the experiment presets (paper recipes and quick MNIST versions)',
  usage: 'lgg-lab presets [--json]',
  options: JSON_OPTION,
  maxPositionals: 0,
  run(args, ctx) {
    if (args.options.json) ctx.out(JSON.stringify(PRESETS, null, 2));
    else
      ctx.out(
        table(
          ['preset', 'kind', 'tier', 'description'],
          PRESETS.map((p) => [p.id, p.kind, p.tier, p.description]),
        ),
      );
    return Promise.resolve(0);
  },
});

/** `lgg-lab list`. */
export const listCommand = defineCommand({
  name: 'list',
  summary: 'list runs with status and accuracy',
  usage: 'lgg-lab list [--json]',
  options: JSON_OPTION,
  maxPositionals: 0,
  run: (args, ctx) =>
    withHost(ctx, async (host) => {
      const listed = await host.request('lab:runs.list', {});
      if (!listed.ok) throw new LabFailure(listed.error.code, listed.error.message);
      const runs = listed.value;
      if (args.options.json) ctx.out(JSON.stringify(runs, null, 2));
      else if (runs.length === 0) ctx.out(`no runs in ${host.runs.root}`);
      else {
        // Slurm's own error when it cannot be asked (no configuration here, controller down) is
        // long and the same for every cluster run: printed once below the table, not in each row.
        const unasked = new Set<string>();
        const slurmCell = (sl: SlurmTaskState): string => {
          if (sl.source !== 'none' || sl.task !== '' || !sl.reason) return slurmLabel(sl);
          unasked.add(sl.reason);
          return 'Slurm not asked (below)';
        };
        ctx.out(
          table(
            // The name (what the app shows) goes last: it is the long, ragged column.
            ['id', 'state', 'epoch', 'test acc', 'best', 'time', 'name'],
            runs.map((r) => [
              r.id,
              r.damaged
                ? 'damaged'
                : `${r.status.state}${r.status.slurm ? ` · ${slurmCell(r.status.slurm)}` : ''}`,
              `${r.status.epoch}/${r.status.totalEpochs}`,
              pct(r.lastTestAcc),
              pct(r.bestTestAcc),
              formatDuration(runDurationSec(r.status, r.seconds, Date.now())),
              r.name,
            ]),
          ),
        );
        for (const reason of unasked)
          ctx.out(`\nSlurm could not be asked about the cluster runs:\n  ${reason.split('\n').join('\n  ')}`);
        const damaged = runs.filter((r) => r.damaged);
        if (damaged.length > 0) ctx.out(`\ndamaged (lgg-lab show <run> for details):`);
        for (const r of damaged)
          for (const d of r.damaged ?? []) ctx.out(`  ${r.id}: ${d.file}: ${d.reason}`);
      }
      return 0;
    }),
});

/** `lgg-lab show`. */
export const showCommand = defineCommand({
  name: 'show',
  summary: 'show a run: spec, status, last metrics and report',
  usage: 'lgg-lab show <run> [--json]   (the run id, or a unique start or end of it)',
  options: JSON_OPTION,
  maxPositionals: 1,
  run: (args, ctx) =>
    withHost(ctx, async (host) => {
      const typed = args.positionals[0];
      if (!typed) throw new UsageError('which run? (lgg-lab list)');
      const id = await resolveRunId(host.runs, typed);
      const r = await host.request('lab:runs.get', { id });
      if (!r.ok) throw new LabFailure(r.error.code, r.error.message);
      const { summary, spec, report, path } = r.value;
      if (args.options.json) {
        ctx.out(JSON.stringify(r.value, null, 2));
        return 0;
      }
      ctx.out(
        `${summary.name}\n  id       ${id}\n  folder   ${path}\n  state    ${summary.status.state}${summary.status.error ? ` (${summary.status.error.message})` : ''}`,
      );
      const ex = summary.status.executor;
      if (ex) {
        const task = ex.jobId ? `${ex.jobId}_${ex.arrayIndex}` : `index ${ex.arrayIndex} (not submitted)`;
        ctx.out(
          `  slurm    task ${task}${summary.status.slurm ? ` · ${slurmLabel(summary.status.slurm)}` : ''}`,
        );
        ctx.out(`  script   ${ex.script}`);
        if (ex.jobId) ctx.out(`  log      ${path}/slurm-${ex.jobId}_${ex.arrayIndex}.out`);
      }
      ctx.out(
        `  kind     ${spec.kind} · ${spec.method}\n  model    ${summary.model} on ${spec.dataset} · seed ${spec.training.seed} · backend ${summary.status.backend ?? spec.backend}`,
      );
      ctx.out(
        `  epochs   ${summary.status.epoch}/${summary.status.totalEpochs} · ${formatDuration(runDurationSec(summary.status, summary.seconds, Date.now()))}`,
      );
      ctx.out(`  test acc ${pct(summary.lastTestAcc)} (best ${pct(summary.bestTestAcc)})`);
      const probes = await host.runs.probeEpochs(id);
      if (probes.length > 0) ctx.out(`  probes   epochs ${probes.join(', ')}`);
      // Every byte of the weights against its checksum: the one place a flipped bit shows before use.
      const checkpoints = await host.runs.checkpoints(id);
      if (checkpoints.length > 0)
        ctx.out(
          `  checkpoints ${checkpoints.map((c) => `${c.name} ${c.result.ok ? 'intact' : 'damaged'}`).join(', ')}`,
        );
      const damage = [
        ...(summary.damaged ?? []),
        ...checkpoints.flatMap((c) => (c.result.ok ? [] : [c.result.damage])),
      ];
      for (const d of damage) ctx.out(`  damaged  ${d.file}: ${d.reason}`);
      if (report) {
        ctx.out(
          `  report   ${Object.entries(report.metrics)
            .filter(([k]) => k !== 'acc')
            .map(([k, v]) => `${metricDef(k).label} ${formatMetric(k, v)}`)
            .join(' · ')}`,
        );
        for (const t of report.tables) {
          ctx.out(`\n  ${t.title}`);
          ctx.out(
            table(
              t.columns,
              t.rows.map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c))),
            ).replace(/^/gm, '  '),
          );
        }
        printReference(ctx, report);
      }
      return 0;
    }),
});

/** `lgg-lab info`. */
export const infoCommand = defineCommand({
  name: 'info',
  summary: 'compute backend (and why faster ones did not load), versions, threads, data folder',
  usage: 'lgg-lab info [--backend B] [--json]',
  options: {
    backend: backendOptionSpec('report this backend instead of the automatic choice'),
    ...JSON_OPTION,
  },
  maxPositionals: 0,
  run: (args, ctx) =>
    withHost(ctx, async (host) => {
      const backend = backendOption(args.options.backend) ?? 'auto';
      const { info } = await host.runJob({ type: 'info' }, { backend });
      if (!info) throw new LabFailure('engine-crashed', 'the engine did not report its backend');
      if (args.options.json) {
        ctx.out(JSON.stringify({ ...info, dataDir: ctx.dataDir, version: labVersion }, null, 2));
        return 0;
      }
      ctx.out(`LGG Lab ${labVersion}`);
      ctx.out(`  backend      ${info.backend}${info.gpu ? ` (${info.gpu})` : ''}`);
      ctx.out(`  tfjs-core    ${info.tfjsVersion}`);
      ctx.out(
        `  node         ${info.nodeVersion}${info.electronVersion ? ` · electron ${info.electronVersion}` : ''}`,
      );
      ctx.out(
        `  threads      ${info.threads} per run${info.simd !== undefined ? ` · SIMD ${info.simd ? 'yes' : 'no'}` : ''}` +
          (info.backend === 'wasm' || info.backend === 'cpu'
            ? ' (data-parallel replicas in worker threads)'
            : ''),
      );
      const use = host.queue.threadUse();
      ctx.out(`  queue        ${use.maxConcurrentRuns} run(s) at once; ${use.policy}`);
      ctx.out(`  platform     ${info.platform} · ${info.cpus} CPUs`);
      if (info.adapter) {
        ctx.out(`  adapter      ${adapterLabel(info.adapter)}`);
        ctx.out(`  limits       ${adapterLimitsText(info.adapter)}`);
      }
      if (info.customKernels.length > 0) ctx.out(`  lab kernels  ${info.customKernels.join(', ')}`);
      for (const f of info.fallbacks) {
        ctx.out(`  skipped      ${f.backend}: ${f.reason}`);
        if (f.fix) ctx.out(`               fix: ${f.fix}`);
      }
      ctx.out(`  data folder  ${ctx.dataDir}`);
      return 0;
    }),
});
