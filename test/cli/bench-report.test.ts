import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../electron/cli/args.js';
import { benchMarkdown, type EngineBench } from '../../electron/cli/commands/bench-report.js';
import type { TorchBench } from '../../electron/cli/commands/bench-torch.js';
import { runCommand, specFromArgs } from '../../electron/cli/commands/run.js';

const row = (model: string, batch: number, threads: number, ms: number) => ({
  model,
  batch,
  threads,
  steps: 10,
  medianMs: ms,
  samplesPerSec: (batch * 1000) / ms,
});

const engine: EngineBench = {
  backend: 'wasm',
  cores: 2,
  train: [row('ref-cnn', 64, 1, 100), row('ref-cnn', 64, 2, 55)],
  models: [row('wrn-28-1', 128, 1, 2000), row('wrn-28-1', 128, 2, 1100)],
  gkd: [{ threads: 2, batch: 64, ceMs: 55, gkdMs: 110, ratio: 2, teacherMs: 33 }],
  profile: [
    { kernel: 'Conv2D', forwardCalls: 27, forwardMs: 300, backwardCalls: 0, backwardMs: 0 },
    { kernel: 'Conv2DBackpropFilter', forwardCalls: 0, forwardMs: 0, backwardCalls: 27, backwardMs: 700 },
  ],
  lgg: [{ B: 1024, D: 12544, fwdMs: 600, fwdBwdMs: 1500 }],
  skipped: [],
};

const torch = (threads: number, cnn: number, wrn: number): TorchBench => ({
  threads,
  train: new Map([[64, cnn]]),
  gkdRatio: 3.2,
  lgg: new Map([['1024x12544', { fwd: 200, fwdBwd: 450 }]]),
  models: new Map([['wrn-28-1', wrn]]),
  profile: threads === 1 ? [{ op: 'aten::convolution_backward', ms: 400 }] : [],
});

describe('bench report', () => {
  it('puts PyTorch at the same thread count beside each row, with the scaling over one thread', () => {
    const md = benchMarkdown('t', [engine], [torch(1, 1000, 120), torch(2, 1900, 250)], []);
    // 640 samples/s at 1 thread against 1,000; 1,164 at 2 (×1.82) against 1,900.
    expect(md).toContain('| ref-cnn | wasm | 64 | 1 | 100.0 | 640 | 1.00 | 1,000 | 0.64 |');
    expect(md).toContain('| ref-cnn | wasm | 64 | 2 | 55.0 | 1,164 | 1.82 | 1,900 | 0.61 |');
    expect(md).toContain('| wrn-28-1 | wasm | 128 | 2 | 1100.0 | 116 | 1.82 | 250 | 0.47 |');
    expect(md).toContain('| wasm | 64 | 2 | 55.0 | 110.0 | 2.00 | 33.0 | 0.60 | 3.20 |');
    expect(md).toContain('| Conv2DBackpropFilter | 0 | 0.0 | 27 | 700.0 | 70.0 |');
    expect(md).toContain('| aten::convolution_backward | 400.0 |');
    expect(md).toContain('| wasm | 1024 | 12544 | 600.0 | 1500.0 | 200.0 | 450.0 | 3.00 |');
  });

  it('says when PyTorch was not measured', () => {
    expect(benchMarkdown('t', [engine], undefined, [])).toMatch(/PyTorch reference not measured/);
  });
});

describe('lgg-lab run --threads', () => {
  it('sets the spec’s thread count (a number or auto)', async () => {
    expect(
      (
        await specFromArgs(
          parseCommandLine(runCommand.options, ['--preset', 'mnist-cnn-quick', '--threads', '3']),
        )
      ).threads,
    ).toBe(3);
    expect(
      (
        await specFromArgs(
          parseCommandLine(runCommand.options, ['--preset', 'mnist-cnn-quick', '--threads', 'auto']),
        )
      ).threads,
    ).toBe('auto');
  });
});
