import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datasetsCommand } from '../../../electron/cli/commands/datasets.js';
import { importCommand } from '../../../electron/cli/commands/import.js';
import { parseCommandLine } from '../../../electron/cli/args.js';
import type { CliContext } from '../../../electron/cli/command.js';
import { DatasetStore } from '../../../electron/host/datasets/dataset-store.js';
import { cifarRecords, failureCode, tmpDir, writeIdxFolder, writeTree } from './fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let out: string[];
let err: string[];
let ctx: CliContext;

const importArgs = (...argv: string[]): ReturnType<typeof parseCommandLine<typeof importCommand.options>> =>
  parseCommandLine(importCommand.options, argv);
const datasetsArgs = (
  ...argv: string[]
): ReturnType<typeof parseCommandLine<typeof datasetsCommand.options>> =>
  parseCommandLine(datasetsCommand.options, argv);

beforeEach(async () => {
  ({ dir, cleanup } = await tmpDir());
  out = [];
  err = [];
  ctx = {
    dataDir: path.join(dir, 'lab'),
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    signal: new AbortController().signal,
    tty: false,
  };
});
afterEach(() => cleanup());

describe('lgg-lab import / datasets', () => {
  it('prints the preview on --dry-run and imports nothing', async () => {
    await writeIdxFolder(path.join(dir, 'mnist'), { n: 20, m: 10 });
    expect(await importCommand.run(importArgs(path.join(dir, 'mnist'), '--dry-run'), ctx)).toBe(0);
    expect(out.join('\n')).toMatch(/Format: +idx → images \(28×28×1, source uint8\)/);
    expect(out.join('\n')).toMatch(/train: +20 examples +\[2 2 2 2 2 2 2 2 2 2\]/);
    expect(await new DatasetStore(ctx.dataDir).list()).toEqual([]);
  });

  it('imports with format options and a progress line, then lists, shows and removes', async () => {
    const src = path.join(dir, 'c100');
    await writeTree(src, {
      'train.bin': cifarRecords(40, 'cifar100', 1).data,
      'test.bin': cifarRecords(10, 'cifar100', 2).data,
    });
    expect(await importCommand.run(importArgs(src, '--name', 'Coarse', '--label-set', 'coarse'), ctx)).toBe(
      0,
    );
    expect(out.some((l) => /^ {2}writing/.test(l))).toBe(true);
    expect(out.at(-1)).toMatch(/^Imported "Coarse" as coarse: 50 examples/);
    out = [];
    expect(await datasetsCommand.run(datasetsArgs(), ctx)).toBe(0);
    expect(out[0]).toMatch(/^id +name +kind +shape +classes +train +test +size/);
    expect(out.join('\n')).toMatch(/coarse +Coarse +images +32×32×3 +20 +40 +10/);
    out = [];
    expect(await datasetsCommand.run(datasetsArgs('show', 'coarse'), ctx)).toBe(0);
    expect((JSON.parse(out.join('\n')) as { classNames: string[] }).classNames).toHaveLength(20);
    expect(await datasetsCommand.run(datasetsArgs('rm', 'coarse'), ctx)).toBe(0);
    expect(await datasetsCommand.run(datasetsArgs('rm', 'coarse'), ctx)).toBe(1);
    expect(err.at(-1)).toBe('no dataset "coarse"');
  });

  it('reports usage errors and typed failures', async () => {
    await expect(importCommand.run(importArgs(), ctx)).rejects.toThrow(/missing <path>/);
    await expect(importCommand.run(importArgs(dir, '--color', 'blue'), ctx)).rejects.toThrow(
      /--color must be one of/,
    );
    await expect(importCommand.run(importArgs(dir, '--image-size', 'big'), ctx)).rejects.toThrow(
      /invalid image size/,
    );
    await expect(importCommand.run(importArgs(dir, '--keys', 'foo=bar'), ctx)).rejects.toThrow(
      /invalid key mapping/,
    );
    await expect(datasetsCommand.run(datasetsArgs('frobnicate'), ctx)).rejects.toThrow(/unknown sub-command/);
    expect((await failureCode(importCommand.run(importArgs(path.join(dir, 'missing')), ctx))).code).toBe(
      'not-found',
    );
  });

  it('returns 130 when interrupted', async () => {
    await writeIdxFolder(path.join(dir, 'mnist'), { n: 20, m: 10 });
    const ctl = new AbortController();
    ctx.signal = ctl.signal;
    ctx.out = (s) => {
      out.push(s);
      if (s === '') ctl.abort();
    };
    expect(await importCommand.run(importArgs(path.join(dir, 'mnist')), ctx)).toBe(130);
    expect(err).toEqual(['import cancelled; nothing was written']);
  });
});
