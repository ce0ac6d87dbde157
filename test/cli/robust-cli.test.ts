import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../shared/run-types.js';
import type { ExperimentSpecInput } from '../../shared/spec/index.js';
import { parseCommandLine } from '../../electron/cli/args.js';
import { evalCommand, evalWithHost } from '../../electron/cli/commands/eval.js';
import { studyCommand, studyFromArgs, studyWithHost } from '../../electron/cli/commands/study.js';
import { createLabHost, type LabHost } from '../../electron/host/lab-host.js';
import { useBackend } from '../helpers/backend.js';
import { writeSyntheticImages } from '../helpers/datasets.js';
import { tempDataDir } from '../helpers/runs.js';
import { robustSpec } from '../engine/experiments/robust-helpers.js';
import { InProcessLauncher } from './in-process-launcher.js';
import { collectingCli } from '../helpers/cli.js';

const cli = collectingCli;

const base = (): ExperimentSpecInput => ({
  ...robustSpec('vanilla'),
  // A paper preset's id: the study report and each report.json put the paper's numbers beside.
  preset: 'cifar10-robust-paper',
  evaluation: {
    subset: 12,
    gaussian: { epsilons: [0.3], sigma: 0.5, draws: 1 },
    fgsm: { epsilons: [0.05], snrDb: [] },
    pgd: [{ epsilon: 0.05, step: 0.02, iterations: 2, randomStart: false }],
    deepfool: null,
    corruptions: null,
    dropout: [],
    quantizationBits: [],
    perturbedProfiles: false,
  },
});

describe('lgg-lab study and lgg-lab eval (host with in-process engine jobs)', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  let host: LabHost;
  beforeAll(async () => {
    await useBackend('wasm');
    data = await tempDataDir();
    await writeSyntheticImages(data.dir, {
      id: 'squares',
      classes: 4,
      train: 160,
      test: 40,
      height: 12,
      width: 12,
      channels: 1,
    });
    host = await createLabHost({ dataDir: data.dir, mode: 'web', launcher: new InProcessLauncher() });
  });
  afterAll(async () => {
    await host.close();
    await data.cleanup();
  });

  it('runs 2 methods × 2 seeds, writes the Markdown and CSV report with mean ± std, and rebuilds it with --report-only', async () => {
    const file = path.join(data.dir, 'study.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        kind: 'study',
        name: 'Tiny robust',
        base: base(),
        methods: ['vanilla', 'laplacian'],
        seeds: [0, 1],
      }),
    );
    const ctx = cli(data.dir);
    expect(
      await studyWithHost(
        host,
        parseCommandLine(studyCommand.options, [file, '--set', 'training.stepsPerEpoch=4']),
        ctx,
      ),
    ).toBe(0);
    const out = ctx.lines.join('\n');
    expect(out).toMatch(/2 method\(s\) × 2 seed\(s\) = 4 runs/);

    const runs = (await host.runs.list()).filter((r) => r.study === 'Tiny robust');
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.status.state === 'completed')).toBe(true);
    const reports = await Promise.all(
      runs.map(async (r) => ({ method: r.method, report: (await host.runs.report(r.id)) as RunReport })),
    );
    const spec = await host.runs.spec(runs[0]!.id);
    expect(spec.training.stepsPerEpoch).toBe(4);

    const dir = path.join(data.dir, 'studies', 'tiny-robust');
    const md = await fs.readFile(path.join(dir, 'report.md'), 'utf8');
    const csv = await fs.readFile(path.join(dir, 'report.csv'), 'utf8');
    expect(out).toContain(md.split('\n')[0]!);
    expect(md).toMatch(/^# Study Tiny robust/);
    expect(md).toContain('| metric (%) | vanilla (n = 2) | laplacian (n = 2) |');
    const table = md
      .split('## The paper beside')[0]!
      .split('\n')
      .filter((l) => /^\| [^-|]/.test(l) && l.includes('±'));
    expect(table.map((l) => l.split(' | ')[0])).toEqual([
      '| test accuracy',
      '| clean accuracy (evaluation subset)',
      '| Gaussian noise ε=0.3',
      '| FGSM ε=0.05 (fgsm-pixel)',
      '| PGD ε=0.05 × 2 (pgd-any-iterate)',
      '| PGD ε=0.05 × 2 (pgd-final-iterate)',
    ]);
    for (const line of table) expect(line).toMatch(/ \| \d+\.\d\d ± \d+\.\d\d \| \d+\.\d\d ± \d+\.\d\d \|$/);
    expect(md.indexOf('| vanilla | 0 |')).toBeLessThan(md.indexOf('| laplacian | 0 |'));
    // The paper beside the study: its clean medians per method, next to the study's own means.
    expect(md).toContain('## The paper beside this study (cifar10-robust-paper)');
    const clean = md.split('\n').find((l) => l.startsWith('| clean: clean |'))!;
    expect(clean).toMatch(
      /^\| clean: clean \| \d+\.\d\d ± \d+\.\d\d \| 88\.10 \| \d+\.\d\d ± \d+\.\d\d \| 86\.90 \|$/,
    );
    expect(md).toMatch(/\| pgd-any-iterate: PGD ε = 0\.01, step 0\.002 × 20 \| — \| 1\.20 \| — \| 11\.50 \|/);
    for (const { method, report } of reports) {
      expect(report.reference?.preset).toBe('cifar10-robust-paper');
      const row = report.reference!.rows.find((r) => r.metric === 'clean')!;
      expect(row.run).toBe(report.metrics.clean);
      expect(row.paper).toBe(method === 'vanilla' ? 0.881 : 0.869);
    }

    // CSV: mean and sample std of the runs' own numbers.
    const rows = csv
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['study', 'kind', 'metric', 'method', 'n', 'mean', 'std', 'values']);
    for (const method of ['vanilla', 'laplacian']) {
      for (const metric of ['testAcc', 'pgd-any-iterate@0.05×2', 'pgd-final-iterate@0.05×2']) {
        const values = reports
          .filter((r) => r.method === method)
          .map((r) => (metric === 'testAcc' ? r.report.testAcc : r.report.metrics[metric]!));
        const mean = (values[0]! + values[1]!) / 2;
        const std = Math.abs(values[0]! - values[1]!) / Math.SQRT2;
        const row = rows.find((r) => r[2] === metric && r[3] === method)!;
        expect(row[4]).toBe('2');
        expect(Number(row[5])).toBeCloseTo(mean, 12);
        expect(Number(row[6])).toBeCloseTo(std, 12);
      }
    }

    const again = cli(data.dir);
    expect(
      await studyWithHost(
        host,
        parseCommandLine(studyCommand.options, ['--report-only', 'Tiny robust']),
        again,
      ),
    ).toBe(0);
    expect(await fs.readFile(path.join(dir, 'report.csv'), 'utf8')).toBe(csv);
    expect(again.lines.join('\n')).toContain('| metric (%) | vanilla (n = 2) | laplacian (n = 2) |');
  });

  it('lgg-lab eval re-runs the suite of a finished run with --set overrides and prints the tables', async () => {
    const run = (await host.runs.list()).find((r) => r.study === 'Tiny robust' && r.method === 'laplacian')!;
    const before = (await host.runs.report(run.id))!;
    const ctx = cli(data.dir);
    const args = parseCommandLine(evalCommand.options, [
      run.id,
      '--set',
      'evaluation.quantizationBits=[3,6]',
      '--set',
      'evaluation.dropout=[0.5]',
      '--set',
      'evaluation.protocols=["dropout-blocks","quantise-truncate"]',
      '--threads',
      '2',
    ]);
    expect(await evalWithHost(host, args, ctx)).toBe(0);
    const out = ctx.lines.join('\n');
    expect(out).toContain('Weight quantisation');
    expect(out).toContain('Test-time dropout');
    expect(out).not.toContain('Gaussian noise (gaussian)');
    // The run came from a paper preset: the paper's figures are printed beside its own.
    expect(out).toContain('The paper beside this run (cifar10-robust-paper)');
    expect(out).toMatch(
      /dropout-blocks\s+test-time dropout p = 0\.25 on block outputs, 40 draws\s+—\s+73\.40/,
    );
    expect(out).toMatch(/quantise-truncate@3bit\s+0\.\d{4}/);
    const after = (await host.runs.report(run.id))!;
    expect(Object.keys(after.metrics)).toEqual(
      expect.arrayContaining([
        'quantise-truncate@3bit',
        'quantise-truncate@6bit',
        'dropout-blocks@0.5',
        'clean',
      ]),
    );
    // Only the named protocols ran: no rounding, no ReLU dropout.
    expect(Object.keys(after.metrics).filter((k) => /quantise-round|dropout-relus/.test(k))).toEqual([]);
    expect(after.tables.map((t) => t.id)).toEqual([
      'clean',
      'gaussian',
      'fgsm',
      'pgd',
      'dropout',
      'quantization',
      'confusion',
    ]);
    // PGD, Gaussian noise and FGSM were not named: their previous tables and numbers stay as they were.
    expect(after.metrics['pgd-any-iterate@0.05×2']).toBe(before.metrics['pgd-any-iterate@0.05×2']);
    expect(after.metrics['gaussian@0.3']).toBe(before.metrics['gaussian@0.3']);
    expect(after.testAcc).toBe(before.testAcc);

    await expect(
      evalWithHost(
        host,
        parseCommandLine(evalCommand.options, [run.id, '--set', 'evaluation.subset=-3']),
        cli(data.dir),
      ),
    ).rejects.toThrow(/evaluation\.subset/);
    await expect(
      evalWithHost(host, parseCommandLine(evalCommand.options, [run.id, '--threads', '0']), cli(data.dir)),
    ).rejects.toThrow(/--threads expects a whole number ≥ 1 or auto, got "0"/);
  });

  it('builds a study from a preset with --methods, --seeds and overrides', async () => {
    const s = await studyFromArgs(
      parseCommandLine(studyCommand.options, [
        '--preset',
        'mnist-robust-quick',
        '--methods',
        'vanilla,parseval',
        '--seeds',
        '3,4',
        '--set',
        'training.epochs=2',
      ]),
    );
    expect(s).toMatchObject({
      kind: 'study',
      name: 'mnist-robust-quick',
      methods: ['vanilla', 'parseval'],
      seeds: [3, 4],
    });
    expect((s.base as { training: { epochs: number } }).training.epochs).toBe(2);
    await expect(
      studyFromArgs(
        parseCommandLine(studyCommand.options, ['--preset', 'mnist-robust-quick', '--seeds', '1,x']),
      ),
    ).rejects.toThrow(/--seeds/);
  });
});
