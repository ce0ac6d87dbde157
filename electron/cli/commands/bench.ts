import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName } from '../../../shared/backend-types.js';
import { BENCH_SECTIONS, type BenchJob, type BenchSection } from '../../../shared/engine-protocol.js';
import type { BackendChoice } from '../../../shared/spec/training.js';
import { benchImport } from '../../host/datasets/bench-import.js';
import type { LabHost } from '../../host/lab-host.js';
import { backendOptionSpec, parseBackend } from '../backend-option.js';
import { defineCommand, UsageError, type CliContext } from '../command.js';
import { benchMarkdown, type EngineBench } from './bench-report.js';
import { benchTorch } from './bench-torch.js';
import { withHost } from './host-context.js';

async function benchBackend(
  host: LabHost,
  backend: BackendChoice,
  job: Omit<BenchJob, 'backends'>,
  ctx: CliContext,
): Promise<EngineBench | undefined> {
  ctx.err(`benchmarking ${backend}…`);
  try {
    const o = await host.runJob({ ...job, backends: [backend] }, { backend, signal: ctx.signal });
    return o.value as EngineBench;
  } catch (e) {
    ctx.err(`  ${backend}: ${(e as Error).message.split('\n')[0] ?? ''}`);
    return undefined;
  }
}

/** `--threads 1,2,4` (default 1 … the machine's cores). */
function threadCounts(raw: string | undefined): number[] {
  const cores = os.availableParallelism();
  if (raw === undefined) return Array.from({ length: cores }, (_, i) => i + 1);
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`--threads expects thread counts like 1,2,4, got "${raw}"`);
  }
  return list;
}

/** `--only lgg,gkd` (default: every section), in the order given, duplicates dropped. */
export function benchSections(raw: string | undefined): BenchSection[] {
  if (raw === undefined) return [...BENCH_SECTIONS];
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(BENCH_SECTIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--only expects sections among ${BENCH_SECTIONS.join(', ')} (comma-separated), got "${raw}"` +
        (unknown.length > 0 ? `: unknown ${unknown.map((u) => `"${u}"`).join(', ')}` : ''),
    );
  }
  return [...new Set(names as BenchSection[])];
}

/** `lgg-lab bench` (and `npm run bench`). */
export const benchCommand = defineCommand({
  name: 'bench',
  summary:
    'training throughput per backend and thread count, per-kernel profile, LGG timings, import throughput, vs PyTorch',
  usage: [
    'lgg-lab bench [--backend wasm --backend cpu …] [--threads 1,2,…] [--only lgg,gkd,…] [--quick] [--no-torch] [--no-import] [--json]',
    `  --only runs some sections: ${BENCH_SECTIONS.join(', ')} (PyTorch only where they need it).`,
    '  Writes bench-results/bench-<time>.md (Markdown tables for the README) and .json.',
  ].join('\n'),
  options: {
    backend: {
      ...backendOptionSpec('benchmark this backend (default: the automatic one, wasm and cpu)'),
      multiple: true,
    },
    threads: {
      type: 'string',
      value: 'LIST',
      help: 'thread counts to train at, e.g. 1,2,4 (default 1 … this machine’s cores); PyTorch at the same',
    },
    only: {
      type: 'string',
      value: 'LIST',
      help: `sections to run, e.g. lgg,gkd (default all: ${BENCH_SECTIONS.join(',')})`,
    },
    'torch-anchor': {
      type: 'string',
      value: 'FILE',
      help: 'the workplace PyTorch anchor (default: ../shared/bench/torch_anchor.py, or one level up)',
    },
    quick: { type: 'boolean', help: 'fewer steps and sizes' },
    'no-torch': { type: 'boolean', help: 'skip the PyTorch reference' },
    'no-import': { type: 'boolean', help: 'skip the dataset import benchmark' },
    json: { type: 'boolean', help: 'print JSON instead of Markdown' },
  },
  maxPositionals: 0,
  async run(args, ctx) {
    const quick = args.options.quick === true;
    const threads = threadCounts(args.options.threads);
    const sections = benchSections(args.options.only);
    const has = (...s: BenchSection[]): boolean => s.some((x) => sections.includes(x));
    const chosen = (args.options.backend ?? []).map(parseBackend);
    return withHost(ctx, async (host) => {
      const info = await host.backend();
      const available: BackendName[] = [info.backend, ...(['wasm', 'cpu'] as const)].filter(
        (b, i, a) => a.indexOf(b) === i,
      );
      const results: EngineBench[] = [];
      // Dataset import alone needs no engine.
      const engines = has('train', 'models', 'gkd', 'profile', 'lgg') ? available : [];
      for (const b of chosen.length > 0 ? chosen : engines) {
        const r = await benchBackend(host, b, { type: 'bench', quick, threads, sections }, ctx);
        if (r) results.push(r);
      }
      const anchor = args.options['torch-anchor'];
      const parts = { anchor: has('train', 'gkd', 'lgg'), models: has('models', 'profile') };
      const torch =
        args.options['no-torch'] || (!parts.anchor && !parts.models)
          ? undefined
          : await benchTorch(ctx, threads, { quick, parts, ...(anchor ? { anchor } : {}) });
      const imports = args.options['no-import'] || !has('import') ? [] : await benchImport(host.paths.tmp);
      const cpu = os.cpus()[0]?.model ?? '';
      const title = `LGG Lab benchmark (${new Date().toISOString()}, ${os.cpus().length} CPUs, ${cpu}, Node ${process.versions.node})`;
      const text = benchMarkdown(title, results, torch, imports);
      const outDir = path.resolve('bench-results');
      await fs.mkdir(outDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await fs.writeFile(path.join(outDir, `bench-${stamp}.md`), `${text}\n`);
      const json = {
        results,
        torch: torch?.map((t) => ({
          ...t,
          train: Object.fromEntries(t.train),
          lgg: Object.fromEntries(t.lgg),
          models: Object.fromEntries(t.models),
        })),
        imports,
      };
      await fs.writeFile(path.join(outDir, `bench-${stamp}.json`), JSON.stringify(json, null, 2));
      ctx.out(args.options.json ? JSON.stringify(json, null, 2) : text);
      ctx.err(`saved to ${path.join(outDir, `bench-${stamp}.md`)}`);
      return 0;
    });
  },
});
