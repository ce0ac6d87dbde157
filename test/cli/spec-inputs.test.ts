import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
    for (const key of ['__proto__.x', 'training.constructor.x', 'training..lr']) {
      const r = await lggLab([
        'run',
        '--preset',
        'mnist-mlp-quick',
        '--set',
        `${key}=1`,
        '--data-dir',
        lab.dir,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^--set [^\n]*: ("(__proto__|constructor)" is not a spec field|an empty key segment)\n/,
      );
      expect(r.stderr).not.toContain('error:');
    }
    const r = await lggLab([
      'run',
      '--preset',
      'mnist-mlp-quick',
      '--set',
      'trainig.epochs=1',
      '--data-dir',
      lab.dir,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown field "trainig" (did you mean "training"?)');
    expect(await runFolders(lab.dir)).toEqual([]);
  });
});
