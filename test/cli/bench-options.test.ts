import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../electron/cli/args.js';
import { UsageError } from '../../electron/cli/command.js';
import { benchCommand, benchSections } from '../../electron/cli/commands/bench.js';
import { benchMarkdown, type EngineBench } from '../../electron/cli/commands/bench-report.js';
import { BENCH_SECTIONS } from '../../shared/engine-protocol.js';

const only = (argv: string[]): string | undefined =>
  parseCommandLine(benchCommand.options, argv).options.only;

describe('lgg-lab bench --only', () => {
  it('runs every section by default', () => {
    expect(benchSections(only([]))).toEqual([...BENCH_SECTIONS]);
    expect(BENCH_SECTIONS).toEqual(['train', 'models', 'gkd', 'profile', 'lgg', 'import']);
  });

  it('takes a comma-separated list, spaces and repeats tolerated', () => {
    expect(benchSections(only(['--only', 'lgg']))).toEqual(['lgg']);
    expect(benchSections(only(['--only', 'lgg,gkd']))).toEqual(['lgg', 'gkd']);
    expect(benchSections(only(['--only=gkd, lgg,gkd']))).toEqual(['gkd', 'lgg']);
  });

  it('names the unknown section and the valid ones', () => {
    expect(() => benchSections('lgg,kernels')).toThrow(UsageError);
    expect(() => benchSections('lgg,kernels')).toThrow(/unknown "kernels"/);
    expect(() => benchSections('lgg,kernels')).toThrow(/train, models, gkd, profile, lgg, import/);
    expect(() => benchSections('')).toThrow(/--only expects sections/);
    expect(() => benchSections(' , ')).toThrow(/--only expects sections/);
  });

  it('reports only the sections that ran', () => {
    const gkdOnly: EngineBench = {
      backend: 'wasm',
      cores: 2,
      train: [],
      models: [],
      gkd: [{ threads: 2, batch: 64, ceMs: 50, gkdMs: 100, ratio: 2 }],
      profile: [],
      lgg: [],
      skipped: [],
    };
    const md = benchMarkdown('t', [gkdOnly], undefined, []);
    expect(md).toContain('## GKD step');
    expect(md).toContain('| wasm | 64 | 2 | 50.0 | 100.0 | 2.00 | — | — | — |');
    expect(md).not.toContain('## Reference CNN');
    expect(md).not.toContain('## LGG construction');
    expect(md).not.toContain('## Paper networks');
  });
});
