import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setPath } from '../../electron/cli/commands/run.js';
import { lggLab } from '../helpers/cli.js';
import { useRunStore } from '../helpers/runs.js';

/** Run folders present in a data folder (none when runs/ was never made). */
async function runFolders(dataDir: string): Promise<string[]> {
  return fs.readdir(path.join(dataDir, 'runs')).catch(() => []);
}

describe('specs and flags given to lgg-lab run (defect 6)', () => {
  const lab = useRunStore();

  it('refuses an unknown spec field, naming it with the field meant, and creates no run', async () => {
    const file = path.join(lab.dir, 'spec.json');
    await fs.writeFile(file, JSON.stringify({ kind: 'train', dataset: 'blobs', trainig: { epochs: 1 } }));
    const r = await lggLab(['run', file, '--data-dir', lab.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown field "trainig" (did you mean "training"?)');
    expect(await runFolders(lab.dir)).toEqual([]);
  });

  it('refuses an unknown field nested in the spec, with its path', async () => {
    const file = path.join(lab.dir, 'spec.json');
    await fs.writeFile(
      file,
      JSON.stringify({ kind: 'train', dataset: 'blobs', model: { arch: 'mlp', hiden: [4] } }),
    );
    const r = await lggLab(['run', file, '--data-dir', lab.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('model: unknown field "hiden" (did you mean "hidden"?)');
  });

  it('--set refuses prototype keys with a usage error, not an internal one', async () => {
    const r = await lggLab([
      'run',
      '--preset',
      'mnist-mlp-quick',
      '--set',
      '__proto__.x=1',
      '--data-dir',
      lab.dir,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^--set __proto__.x: "__proto__" is not a spec field\n/);
    for (const [key, why] of [
      ['training.constructor.x', '"constructor" is not a spec field'],
      ['a.prototype', '"prototype" is not a spec field'],
      ['training..lr', 'an empty key segment'],
    ] as const)
      expect(() => setPath({}, `${key}=1`)).toThrow(`--set ${key}: ${why}`);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    const typo = await lggLab([
      'run',
      '--preset',
      'mnist-mlp-quick',
      '--set',
      'trainig.epochs=1',
      '--data-dir',
      lab.dir,
    ]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('unknown field "trainig" (did you mean "training"?)');
    expect(await runFolders(lab.dir)).toEqual([]);
  });
});

describe('checks that run before a run folder exists (defect 6)', () => {
  const lab = useRunStore();
  const run = (...args: string[]): ReturnType<typeof lggLab> => lggLab([...args, '--data-dir', lab.dir]);
  /** The quick GKD preset on a synthetic tabular set with an MLP student (no MNIST to import). */
  const distill = (dataset: string, hidden: number[], ...args: string[]): ReturnType<typeof lggLab> =>
    run(
      'run',
      '--preset',
      'mnist-gkd-quick',
      '--dataset',
      dataset,
      '--set',
      `model=${JSON.stringify({ arch: 'mlp', hidden })}`,
      ...args,
    );

  it('refuses a dataset the model cannot read, and a teacher checkpoint that is not one, leaving no run', async () => {
    const tabular = await run('run', '--preset', 'mnist-cnn-quick', '--dataset', 'blobs');
    expect(tabular.code).toBe(1);
    expect(tabular.stderr).toContain('model.arch: ref-cnn needs images; blobs is tabular (use mlp)');
    const etc = await distill('blobs', [4], '--teacher', '/etc');
    expect(etc.code).toBe(1);
    expect(etc.stderr).toMatch(
      /^error \(not-found\): teacher checkpoint \/etc: \/etc is not an LGG Lab checkpoint/,
    );
    const missing = await distill('blobs', [4], '--teacher', 'no-such-run');
    expect(missing.stderr).toContain('teacher: no run "no-such-run"');
    expect(await runFolders(lab.dir)).toEqual([]);
  });

  it('refuses a teacher whose network does not fit the student or the dataset, leaving no run', async () => {
    const spec = path.join(lab.dir, 'teacher.json');
    await fs.writeFile(
      spec,
      JSON.stringify({
        kind: 'train',
        dataset: 'blobs',
        model: { arch: 'mlp', hidden: [8] },
        training: { epochs: 1, batchSize: 32, stepsPerEpoch: 1, evalSubset: 32 },
        probe: { perClass: 2, epochs: [] },
      }),
    );
    const made = await run('run', spec);
    expect(made.code, made.stderr).toBe(0);
    const teacher = /^run (\S+) →/m.exec(made.stdout)?.[1] ?? '';
    const before = await runFolders(lab.dir);

    const classes = await distill('spirals-5', [4], '--teacher', teacher);
    expect(classes.code).toBe(1);
    expect(classes.stderr).toContain(
      `teacher run "${teacher}" outputs 3 values for 3 classes; a teacher must output 5 class logits for this dataset`,
    );
    const stages = await distill('blobs', [8, 4], '--teacher', teacher);
    expect(stages.code).toBe(1);
    expect(stages.stderr).toMatch(
      /pairs: "stages" pairs stage k of the teacher with stage k of the student, but the teacher \(MLP 8\) has 1 stage/,
    );
    const checkpoint = path.join(lab.dir, 'runs', teacher, 'checkpoints');
    const ckpt = (await fs.readdir(checkpoint)).find((n) => n.startsWith('e'))!;
    const weights = path.join(checkpoint, ckpt, 'weights.bin');
    const bytes = await fs.readFile(weights);
    bytes[3] = (bytes[3] ?? 0) ^ 1;
    await fs.writeFile(weights, bytes);
    const flipped = await distill('blobs', [4], '--teacher', teacher);
    expect(flipped.code).toBe(1);
    expect(flipped.stderr).toContain(
      `error (run-damaged): teacher run "${teacher}": checkpoints/${ckpt}/weights.bin: does not match the checksum written with it`,
    );
    expect(await runFolders(lab.dir)).toEqual(before);
  });
});
