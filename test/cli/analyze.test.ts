import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyzeResult } from '../../shared/engine-protocol.js';
import { readNpy } from '../../electron/common/npy-file.js';
import { lggLab } from '../helpers/cli.js';
import { LGG_FIXTURES, referenceCases, relErr } from '../helpers/fixtures.js';
import { tempDataDir } from '../helpers/runs.js';

describe('lgg-lab analyze agrees with the PyTorch reference', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => (data = await tempDataDir()));
  afterAll(() => data.cleanup());

  it.each(Object.entries(referenceCases()))('%s', async (name, c) => {
    const dir = path.join(LGG_FIXTURES, name);
    const o = c.options;
    const out = path.join(data.dir, `graphs-${name}`);
    const args = [
      'analyze',
      ...c.layers.map((l) => path.join(dir, l.file)),
      '--labels',
      path.join(dir, 'labels.npy'),
      ...c.teacher_layers.flatMap((t) => ['--teacher', path.join(dir, t.file)]),
      '--similarity',
      o.similarity,
      '--negatives',
      o.negatives,
      '--self-loops',
      o.self_loops,
      '--normalization',
      o.normalization,
      '--k',
      String(o.k ?? 'dense'),
      '--mask-source',
      o.mask_source,
      '--power',
      String(o.power),
      '--gkd-weight',
      String(c.gkd.weight),
      '--reduction',
      c.gkd.reduction,
      '--save-graph',
      out,
      '--data-dir',
      data.dir,
    ];
    const r = await lggLab(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as AnalyzeResult;
    c.layers.forEach((l, i) => {
      expect(relErr(res.layers[i]!.sigma.m1, l.sigma_m1)).toBeLessThan(1e-4);
      expect(relErr(res.layers[i]!.sigma.m2, l.sigma_m2)).toBeLessThan(1e-4);
    });
    c.gkd.per_pair_sq_frobenius.forEach((v, i) => expect(relErr(res.gkd!.perPair[i]!, v)).toBeLessThan(1e-4));
    expect(relErr(res.gkd!.total, c.gkd.total)).toBeLessThan(1e-4);
    for (let i = 0; i < c.layers.length; i++) {
      const mine = await readNpy(path.join(out, `graph${i}.npy`));
      const ref = await readNpy(path.join(dir, c.layers[i]!.graph));
      const scale = Math.max(...Array.from(ref.data, Math.abs));
      const diff = Math.max(...Array.from(mine.data, (v, j) => Math.abs(v - (ref.data[j] ?? 0))));
      expect(diff / scale).toBeLessThan(1e-4);
    }
  });

  it('fails clearly on bad input', async () => {
    const dir = path.join(LGG_FIXTURES, 'dense_sym');
    const missing = await lggLab([
      'analyze',
      path.join(dir, 'nope.npy'),
      '--labels',
      path.join(dir, 'labels.npy'),
      '--data-dir',
      data.dir,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.npy: no such file/);
    const mismatch = await lggLab([
      'analyze',
      path.join(LGG_FIXTURES, 'knn5_sym', 'layer0.npy'),
      '--labels',
      path.join(dir, 'labels.npy'),
      '--data-dir',
      data.dir,
    ]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/40 rows but 32 labels/);
    const notNpy = await lggLab([
      'analyze',
      path.join(LGG_FIXTURES, 'expected.json'),
      '--labels',
      path.join(dir, 'labels.npy'),
      '--data-dir',
      data.dir,
    ]);
    expect(notNpy.stderr).toMatch(/not a \.npy file/);
    const usage = await lggLab(['analyze', '--data-dir', data.dir]);
    expect(usage.code).toBe(2);
  });
});
