import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendInfo } from '../../../shared/backend-types.js';
import type { EngineToHost, GpuCheckResult, ParityResult } from '../../../shared/engine-protocol.js';
import { adapterLabel, adapterLimitsText } from '../../../shared/gpu-adapter.js';
import type { BackendChoice } from '../../../shared/spec/training.js';
import type { LabHost } from '../../host/lab-host.js';
import { defineCommand, type CliContext } from '../command.js';
import { table } from '../format.js';
import { labVersion, withHost } from './host-context.js';

/** What one GPU backend gave: its report, the parity suite and the benchmark (or why not). */
interface BackendCheck {
  backend: BackendChoice;
  info?: BackendInfo;
  check?: GpuCheckResult;
  bench?: unknown;
  error?: string;
}

const firstLine = (e: unknown): string => ((e as Error).message.split('\n')[0] ?? String(e)).trim();

function progressLine(ctx: CliContext, label: string): (m: EngineToHost) => void {
  return (m) => {
    if (m.type !== 'progress') return;
    const p = m.progress;
    ctx.err(`  ${label} ${p.step}/${p.stepsPerEpoch} ${p.detail ?? ''}`);
  };
}

async function checkBackend(
  host: LabHost,
  backend: BackendChoice,
  quick: boolean,
  bench: boolean,
  ctx: CliContext,
) {
  const out: BackendCheck = { backend };
  ctx.err(`parity suite on ${backend} (against the cpu backend)…`);
  try {
    const o = await host.runJob(
      { type: 'gpu-check' },
      { backend, signal: ctx.signal, onMessage: progressLine(ctx, 'parity') },
    );
    out.info = o.info;
    out.check = o.value as GpuCheckResult;
  } catch (e) {
    out.error = firstLine(e);
    return out;
  }
  if (!bench) return out;
  // A software adapter is a CPU pretending to be a GPU: its quick benchmark says enough.
  const soft = out.info?.adapter?.isFallback === true;
  ctx.err(`benchmarking ${backend}${soft ? ' (software adapter: quick)' : ''}…`);
  try {
    const o = await host.runJob(
      { type: 'bench', backends: [backend], quick: quick || soft },
      { backend, signal: ctx.signal, onMessage: progressLine(ctx, 'bench') },
    );
    out.bench = o.value;
  } catch (e) {
    out.error = `bench: ${firstLine(e)}`;
  }
  return out;
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '—');

function parityTable(rows: ParityResult[]): string {
  return table(
    ['case', 'values', 'worst rel. error', 'ok', 'ms'],
    rows.map((r) => [r.name, String(r.values), r.worstError.toExponential(1), r.ok ? 'yes' : 'NO', f1(r.ms)]),
  );
}

interface BenchLike {
  train: { model: string; batch: number; medianMs: number; samplesPerSec: number }[];
  lgg: { B: number; D: number; fwdMs: number; fwdBwdMs: number }[];
  skipped: string[];
}

function report(auto: BackendInfo | undefined, checks: BackendCheck[]): string {
  const md = [
    `# LGG Lab GPU check (${new Date().toISOString()}, LGG Lab ${labVersion}, ${os.cpus().length} CPUs)`,
    '',
  ];
  if (auto) {
    md.push(`Backend chosen automatically here: **${auto.backend}**.`, '');
    for (const f of auto.fallbacks)
      md.push(`- skipped ${f.backend}: ${f.reason}${f.fix ? ` (fix: ${f.fix})` : ''}`);
    md.push('');
  }
  for (const c of checks) {
    md.push(`## ${c.backend}`, '');
    if (c.check) {
      md.push('WebGPU adapters on this machine:', '');
      if (c.check.adapters.length === 0)
        md.push(`- none (${c.check.adapterError ?? 'Dawn found no adapter'})`);
      for (const a of c.check.adapters) md.push(`- ${adapterLabel(a)}; ${adapterLimitsText(a)}`);
      md.push('');
    }
    const a = c.info?.adapter;
    if (a) {
      md.push(
        a.isFallback
          ? `Measured on **${adapterLabel(a)}**: a software adapter (no hardware adapter was found), so the numbers show correctness, not GPU speed.`
          : `Measured on **${adapterLabel(a)}**.`,
        '',
      );
    } else if (c.info?.gpu) md.push(`Measured on **${c.info.gpu}**.`, '');
    if (c.check) {
      const bad = c.check.parity.filter((p) => !p.ok).length;
      md.push(
        `### Parity with cpu (tolerance ${c.check.tolerance}): ${bad === 0 ? 'all cases agree' : `${bad} case(s) DISAGREE`}`,
        '',
        parityTable(c.check.parity),
        '',
      );
    }
    const b = c.bench as BenchLike | undefined;
    if (b) {
      md.push('### Benchmark', '');
      md.push(
        table(
          ['model', 'batch', 'ms/step', 'samples/s'],
          b.train.map((t) => [t.model, String(t.batch), f1(t.medianMs), f1(t.samplesPerSec)]),
        ),
        '',
        table(
          ['LGG B', 'D', 'fwd ms', 'fwd+bwd ms'],
          b.lgg.map((l) => [String(l.B), String(l.D), f1(l.fwdMs), f1(l.fwdBwdMs)]),
        ),
        '',
      );
      if (b.skipped.length > 0) md.push(`Skipped: ${b.skipped.join('; ')}`, '');
    }
    if (c.error) md.push(`**${c.backend} failed:** ${c.error}`, '');
  }
  return md.join('\n');
}

/** `lgg-lab gpu-check` (and `npm run gpu-check`). */
export const gpuCheckCommand = defineCommand({
  name: 'gpu-check',
  summary: 'GPU adapters, the parity suite and a benchmark on each GPU backend, as a JSON + Markdown report',
  usage: [
    'lgg-lab gpu-check [--quick] [--no-bench] [--json]',
    '  lists the WebGPU adapters, runs the parity suite (every model and loss against the cpu backend)',
    '  and the benchmark on webgpu (its hardware adapter, else the software one, said so) and on',
    '  tensorflow-gpu when it loads; writes bench-results/gpu-check-<time>.{json,md}',
  ].join('\n'),
  options: {
    quick: { type: 'boolean', help: 'the benchmark’s small cases only' },
    'no-bench': { type: 'boolean', help: 'adapters and the parity suite only, no benchmark' },
    json: { type: 'boolean', help: 'print the JSON report instead of the Markdown one' },
  },
  maxPositionals: 0,
  async run(args, ctx) {
    const quick = args.options.quick === true;
    const bench = args.options['no-bench'] !== true;
    return withHost(ctx, async (host) => {
      const auto = await host.runJob({ type: 'info' }, { backend: 'auto', signal: ctx.signal }).then(
        (o) => o.info,
        () => undefined,
      );
      const backends: BackendChoice[] =
        auto?.backend === 'tensorflow-gpu' ? ['webgpu', 'tensorflow-gpu'] : ['webgpu'];
      const checks: BackendCheck[] = [];
      for (const b of backends) checks.push(await checkBackend(host, b, quick, bench, ctx));
      const text = report(auto, checks);
      const outDir = path.resolve('bench-results');
      await fs.mkdir(outDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const base = path.join(outDir, `gpu-check-${stamp}`);
      const json = { version: labVersion, date: new Date().toISOString(), auto, checks };
      await fs.writeFile(`${base}.md`, `${text}\n`);
      await fs.writeFile(`${base}.json`, JSON.stringify(json, null, 2));
      ctx.out(args.options.json ? JSON.stringify(json, null, 2) : text);
      ctx.err(`saved to ${base}.md and .json`);
      const failed = checks.some((c) => c.error !== undefined || c.check?.parity.some((p) => !p.ok));
      return failed ? 1 : 0;
    });
  },
});
