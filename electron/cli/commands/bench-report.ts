import type { GkdBench } from '../../../shared/engine-protocol.js';
import type { ImportBench } from '../../host/datasets/bench-import.js';
import type { TorchBench } from './bench-torch.js';

/** What an engine's bench job returns (electron/engine/bench/bench.ts BenchResult). */
export interface EngineBench {
  backend: string;
  /** The WebGPU adapter measured, on webgpu. */
  adapter?: string;
  cores: number;
  train: TrainRow[];
  models: TrainRow[];
  gkd: GkdBench[];
  profile: {
    kernel: string;
    forwardCalls: number;
    forwardMs: number;
    backwardCalls: number;
    backwardMs: number;
  }[];
  lgg: { B: number; D: number; fwdMs: number; fwdBwdMs: number }[];
  skipped: string[];
}

interface TrainRow {
  model: string;
  threads: number;
  batch: number;
  steps: number;
  medianMs: number;
  samplesPerSec: number;
}

const f1 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(1));
const f0 = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? '—' : Math.round(x).toLocaleString('en-US');
const ratio = (a: number | undefined, b: number | undefined): string =>
  a !== undefined && b !== undefined && a > 0 && b > 0 ? (a / b).toFixed(2) : '—';

/** A Markdown table (pipes), so rows paste straight into the README. */
export function mdTable(header: string[], rows: string[][], right: boolean[] = []): string {
  const align = header.map((_, i) => (right[i] ? '---:' : '---'));
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function torchAt(torch: TorchBench[] | undefined, threads: number): TorchBench | undefined {
  return torch?.find((t) => t.threads === threads);
}

/** Throughput rows with PyTorch on the same threads and the scaling over the lab's 1-thread figure. */
function trainTable(
  rows: TrainRow[],
  backend: string,
  torch: TorchBench[] | undefined,
  pick: (t: TorchBench, r: TrainRow) => number | undefined,
): string {
  const one = (r: TrainRow): number | undefined =>
    rows.find((o) => o.model === r.model && o.batch === r.batch && o.threads === 1)?.samplesPerSec;
  return mdTable(
    [
      'network',
      'backend',
      'batch',
      'threads',
      'ms/step',
      'samples/s',
      '× 1 thread',
      'PyTorch samples/s',
      'lab ÷ PyTorch',
    ],
    rows.map((r) => {
      const t = torchAt(torch, r.threads);
      const py = t ? pick(t, r) : undefined;
      return [
        r.model,
        backend,
        String(r.batch),
        String(r.threads),
        f1(r.medianMs),
        f0(r.samplesPerSec),
        ratio(r.samplesPerSec, one(r)),
        f0(py),
        ratio(r.samplesPerSec, py),
      ];
    }),
    [false, false, true, true, true, true, true, true, true],
  );
}

/** The whole bench as Markdown: one section per measurement, tables ready for the README. */
export function benchMarkdown(
  title: string,
  results: EngineBench[],
  torch: TorchBench[] | undefined,
  imports: ImportBench[],
): string {
  const md: string[] = [`# ${title}`, ''];
  for (const r of results) if (r.adapter) md.push(`${r.backend} ran on ${r.adapter}.`, '');
  const trained = results.filter((r) => r.train.length > 0);
  if (trained.length > 0) {
    md.push('## Reference CNN training step (SGD momentum; median of timed steps)', '');
    for (const r of trained)
      md.push(
        trainTable(r.train, r.backend, torch, (t, row) => t.train.get(row.batch)),
        '',
      );
  }
  const models = results.filter((r) => r.models.length > 0);
  if (models.length > 0) {
    md.push(
      '## Paper networks: one training step, batch 128, 32×32×3 (BatchNorm synchronised over the threads)',
      '',
    );
    for (const r of models)
      md.push(
        trainTable(r.models, r.backend, torch, (t, row) => t.models.get(row.model)),
        '',
      );
  }
  const gkd = results.flatMap((r) => r.gkd.map((g) => ({ ...g, backend: r.backend })));
  if (gkd.length > 0) {
    md.push(
      '## GKD step (teacher forward + student step + 3 kNN LGGs) ÷ CE step, reference CNN, 2×-wide teacher',
      '',
      'teacher fwd: the teacher’s forward pass alone on one replica’s shard (batch ÷ threads), one thread.',
      '',
    );
    md.push(
      mdTable(
        [
          'backend',
          'batch',
          'threads',
          'CE ms',
          'GKD ms',
          'GKD ÷ CE',
          'teacher fwd ms',
          'teacher fwd ÷ CE',
          'PyTorch GKD ÷ CE',
        ],
        gkd.map((g) => [
          g.backend,
          String(g.batch),
          String(g.threads),
          f1(g.ceMs),
          f1(g.gkdMs),
          g.ratio.toFixed(2),
          f1(g.teacherMs),
          ratio(g.teacherMs, g.ceMs),
          torchAt(torch, g.threads)?.gkdRatio?.toFixed(2) ?? '—',
        ]),
        [false, true, true, true, true, true, true, true, true],
      ),
      '',
    );
  }
  for (const r of results.filter((x) => x.profile.length > 0)) {
    const total = r.profile.reduce((a, k) => a + k.forwardMs + k.backwardMs, 0);
    md.push(`## Per-kernel profile: one WRN-28-1 step, batch 128, one thread (${r.backend})`, '');
    md.push(
      mdTable(
        ['kernel', 'forward calls', 'forward ms', 'backward calls', 'backward ms', '% of step'],
        r.profile
          .filter((k) => k.forwardMs + k.backwardMs >= 0.001 * total)
          .map((k) => [
            k.kernel,
            String(k.forwardCalls),
            f1(k.forwardMs),
            String(k.backwardCalls),
            f1(k.backwardMs),
            ((100 * (k.forwardMs + k.backwardMs)) / total).toFixed(1),
          ]),
        [false, true, true, true, true, true],
      ),
      '',
    );
  }
  const profile = torchAt(torch, 1)?.profile ?? [];
  if (profile.length > 0) {
    md.push('PyTorch, the same step on one thread (autograd profiler, self CPU time):', '');
    md.push(
      mdTable(
        ['op', 'ms'],
        profile.map((p) => [p.op, f1(p.ms)]),
        [false, true],
      ),
      '',
    );
  }
  const top = torch?.[torch.length - 1];
  if (results.some((r) => r.lgg.length > 0))
    md.push(
      '## LGG construction (cosine, k = 10, clamped), ms, PyTorch on the most threads measured',
      '',
      mdTable(
        ['backend', 'B', 'D', 'fwd', 'fwd+bwd', 'PyTorch fwd', 'PyTorch fwd+bwd', 'lab ÷ PyTorch time (fwd)'],
        results.flatMap((r) =>
          r.lgg.map((l) => {
            const t = top?.lgg.get(`${l.B}x${l.D}`);
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
        [false, true, true, true, true, true, true, true],
      ),
      '',
    );
  if (imports.length > 0) {
    md.push('## Dataset import', '');
    md.push(
      mdTable(
        ['dataset', 'examples', 'MB', 'seconds', 'examples/s', 'peak RSS MB'],
        imports.map((i) => [
          i.name,
          String(i.examples),
          f1(i.bytes / 2 ** 20),
          f1(i.seconds),
          f0(i.examplesPerSec),
          f1(i.peakRssMB),
        ]),
        [false, true, true, true, true, true],
      ),
      '',
    );
  }
  const skipped = results.flatMap((r) => r.skipped.map((s) => `${r.backend}: ${s}`));
  if (skipped.length > 0) md.push(`Skipped: ${skipped.join('; ')}`, '');
  if (!torch) md.push('PyTorch reference not measured (needs /usr/bin/python3 with torch).', '');
  return md.join('\n');
}
