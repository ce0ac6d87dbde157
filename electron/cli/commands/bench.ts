import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackendName } from '../../../shared/backend-types.js';
import type { BenchJob } from '../../../shared/engine-protocol.js';
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

/** `lgg-lab bench` (and `npm run bench`). */
export const benchCommand = defineCommand({
  name: 'bench',
  summary:
    'training throughput per backend and thread count, per-kernel profile, LGG timings, import throughput, vs PyTorch',
  usage: [
    'lgg-lab bench [--backend wasm --backend cpu …] [--threads 1,2,…] [--quick] [--no-torch] [--no-import] [--json]',
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
    const chosen = (args.options.backend ?? []).map(parseBackend);
    return withHost(ctx, async (host) => {
      const info = await host.backend();
      const available: BackendName[] = [info.backend, ...(['wasm', 'cpu'] as const)].filter(
        (b, i, a) => a.indexOf(b) === i,
      );
      const results: EngineBench[] = [];
      for (const b of chosen.length > 0 ? chosen : available) {
        const r = await benchBackend(host, b, { type: 'bench', quick, threads }, ctx);
        if (r) results.push(r);
      }
      const anchor = args.options['torch-anchor'];
      const torch = args.options['no-torch']
        ? undefined
        : await benchTorch(ctx, threads, { quick, ...(anchor ? { anchor } : {}) });
      const imports = args.options['no-import'] ? [] : await benchImport(host.paths.tmp);
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
