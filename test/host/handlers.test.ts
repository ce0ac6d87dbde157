import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labVersion } from '../../electron/common/lab-version.js';
import { createLabHost, type LabHost } from '../../electron/host/lab-host.js';
import { parseExperimentSpec } from '../../shared/spec/index.js';
import { FakeLauncher } from '../helpers/fake-engine.js';
import { tempDataDir } from '../helpers/runs.js';

describe('host handlers with scripted engines', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  let launcher: FakeLauncher;
  let host: LabHost;
  beforeEach(async () => {
    data = await tempDataDir();
    launcher = new FakeLauncher();
    host = await createLabHost({ dataDir: data.dir, mode: 'web', launcher });
  });
  afterEach(async () => {
    await host.close();
    await data.cleanup();
  });

  it('a run deleted while it is re-evaluated does not take the host down', async () => {
    const spec = parseExperimentSpec({ kind: 'train', training: { epochs: 1 } });
    if (!spec.ok) throw new Error(spec.error.message);
    const { id } = await host.runs.create(spec.value);
    await host.runs.updateStatus(id, { state: 'completed' });
    expect(await host.request('lab:runs.evaluate', { id })).toMatchObject({ ok: true });
    await expect.poll(() => launcher.engines[0]?.job?.type).toBe('evaluate');
    expect(await host.request('lab:runs.remove', { id })).toEqual({ ok: true, value: { removed: true } });
    launcher.engines[0]!.finish();
    // An unhandled rejection would fail this test; give the chain time to settle.
    await new Promise((r) => setTimeout(r, 50));
    expect(await host.request('lab:runs.list', {})).toEqual({ ok: true, value: [] });
  });
});

describe('system info', () => {
  it('reports the package version when none is given (web mode showed "LGG Lab 0.0.0")', async () => {
    const data = await tempDataDir();
    const launcher = new FakeLauncher();
    const host = await createLabHost({ dataDir: data.dir, mode: 'web', launcher });
    try {
      const pkg = JSON.parse(await fs.readFile(path.resolve('package.json'), 'utf8')) as { version: string };
      expect(labVersion()).toBe(pkg.version);
      const info = host.request('lab:system.info', {});
      await expect.poll(() => launcher.engines[0]?.job?.type).toBe('info');
      // The engine says which backend it runs (on the next turn), then answers.
      await new Promise((r) => setImmediate(r));
      launcher.engines[0]!.finish();
      const got = await info;
      expect(got, JSON.stringify(got)).toMatchObject({ ok: true, value: { version: pkg.version } });
    } finally {
      await host.close();
      await data.cleanup();
    }
  });
});

describe('host start-up', () => {
  it('removes browser uploads older than a day, even while new drops keep uploads/ fresh', async () => {
    const data = await tempDataDir();
    try {
      const uploads = path.join(data.dir, 'tmp', 'uploads');
      await fs.mkdir(path.join(uploads, 'old', 'mnist'), { recursive: true });
      await fs.writeFile(path.join(uploads, 'old', 'mnist', 'train-images'), 'x');
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
      await fs.utimes(path.join(uploads, 'old'), twoDaysAgo, twoDaysAgo);
      await fs.mkdir(path.join(uploads, 'new'), { recursive: true });
      const host = await createLabHost({ dataDir: data.dir, mode: 'web', launcher: new FakeLauncher() });
      await host.close();
      expect((await fs.readdir(uploads)).sort()).toEqual(['new']);
    } finally {
      await data.cleanup();
    }
  });
});
