import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZipDirectory, zipEntryChunks } from '../../electron/host/datasets/zip-reader.js';
import { createLabHost, type LabHost } from '../../electron/host/lab-host.js';
import type { RunProgress, RunStatus } from '../../shared/run-types.js';
import type { ExperimentSpecInput } from '../../shared/spec/index.js';
import { writeSyntheticImages } from '../helpers/datasets.js';
import { tempDataDir } from '../helpers/runs.js';

const spec = (epochs: number, steps: number, batchSize = 16): ExperimentSpecInput => ({
  kind: 'train',
  dataset: 'squares',
  backend: 'wasm',
  model: { arch: 'ref-cnn', width: 0.25 },
  training: { epochs, batchSize, lr: 0.05, stepsPerEpoch: steps, seed: 1 },
  probe: { perClass: 2, seed: 0, epochs: 'all' },
});

/** Resolves with the first status of `id` in one of `states`. */
function until(host: LabHost, id: string, states: RunStatus['state'][]): Promise<RunStatus> {
  return new Promise((resolve) => {
    const off = host.subscribe((channel, payload) => {
      if (channel !== 'lab:runs.onStatus') return;
      const s = (payload as RunStatus[]).find((x) => x.id === id && states.includes(x.state));
      if (s) {
        off();
        resolve(s);
      }
    });
  });
}

function firstProgress(host: LabHost, id: string): Promise<RunProgress> {
  return new Promise((resolve) => {
    const off = host.subscribe((channel, payload) => {
      if (channel !== 'lab:runs.onProgress') return;
      const p = (payload as RunProgress[]).find((x) => x.runId === id && x.phase === 'training');
      if (p) {
        off();
        resolve(p);
      }
    });
  });
}

describe('lab host with real engine processes', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  let host: LabHost;
  beforeAll(async () => {
    data = await tempDataDir();
    await writeSyntheticImages(data.dir, {
      id: 'squares',
      classes: 4,
      train: 8000,
      test: 40,
      height: 12,
      width: 12,
      channels: 1,
    });
    host = await createLabHost({ dataDir: data.dir, mode: 'web' });
  });
  afterAll(async () => {
    await host.close();
    await data.cleanup();
  });

  it('rejects unknown channels and invalid payloads with a Result', async () => {
    expect(await host.dispatch('lab:nope', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown-channel' },
    });
    expect(await host.dispatch('lab:runs.get', { id: 7 })).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    const bad = await host.request('lab:specs.validate', { spec: { kind: 'train', training: { lr: -1 } } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-spec' } });
    expect(JSON.stringify(bad)).toContain('training.lr');
  });

  it('runs a spec to completion and serves its metrics, probes and graphs', async () => {
    const started = await host.request('lab:runs.start', { spec: spec(2, 4) });
    if (!started.ok) throw new Error(started.error.message);
    const id = started.value.id;
    const done = await until(host, id, ['completed', 'failed']);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('completed');
    const detail = await host.request('lab:runs.get', { id });
    if (!detail.ok) throw new Error(detail.error.message);
    expect(detail.value.summary.status.epoch).toBe(2);
    expect(detail.value.summary.status.backend).toBe('wasm');
    expect(detail.value.report?.testAcc).toBeGreaterThan(0);
    const metrics = await host.request('lab:runs.metrics', { id });
    expect(metrics.ok && metrics.value.records.filter((r) => r.type === 'epoch')).toHaveLength(2);
    const probes = await host.request('lab:runs.probes', { id });
    expect(probes.ok && probes.value.epochs).toEqual([0, 1, 2]);
    const snap = await host.request('lab:runs.probe', { id, epoch: 2 });
    if (!snap.ok) throw new Error(snap.error.message);
    const g = await host.request('lab:runs.graph', { id, file: snap.value.taps[0]!.files.graph });
    expect(g.ok && g.value.size).toBe(8);
    const csv = await host.request('lab:runs.export', { id, format: 'csv' });
    expect(csv.ok && csv.value.bytes).toBeGreaterThan(0);
    // The zip export holds every file of the run folder, byte for byte (read back by the importers' reader).
    const zip = await host.request('lab:runs.export', { id, format: 'zip' });
    if (!zip.ok) throw new Error(zip.error.message);
    const members = await readZipDirectory(zip.value.path);
    const dir = host.runs.dir(id);
    const files = (await fs.readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    expect(members.map((m) => m.name).sort()).toEqual(files.map((f) => `${id}/${f}`).sort());
    for (const m of members.filter((x) => /spec\.json|weights\.bin$/.test(x.name))) {
      const chunks: Uint8Array[] = [];
      for await (const c of zipEntryChunks(zip.value.path, m)) chunks.push(c);
      expect(
        Buffer.concat(chunks).equals(await fs.readFile(path.join(dir, m.name.slice(id.length + 1)))),
      ).toBe(true);
    }
  });

  it('stops a run cooperatively mid-epoch, then resumes it to completion', async () => {
    const started = await host.request('lab:runs.start', { spec: spec(2, 250, 32) });
    if (!started.ok) throw new Error(started.error.message);
    const id = started.value.id;
    await firstProgress(host, id);
    expect(await host.request('lab:runs.stop', { id })).toMatchObject({ ok: true, value: { stopped: true } });
    expect((await until(host, id, ['cancelled', 'failed', 'completed'])).state).toBe('cancelled');
    // The cancel reached the engine within the first epoch: no epoch finished.
    const before = await host.request('lab:runs.metrics', { id });
    expect(before.ok && before.value.records.filter((r) => r.type === 'epoch')).toEqual([]);
    expect(await host.request('lab:runs.resume', { id })).toMatchObject({ ok: true });
    expect((await until(host, id, ['completed', 'failed'])).state).toBe('completed');
    const m = await host.request('lab:runs.metrics', { id });
    expect(m.ok && m.value.records.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([1, 2]);
  });

  it('survives an engine crash: the run fails with the reason, the host goes on', async () => {
    const started = await host.request('lab:runs.start', { spec: spec(3, 50) });
    if (!started.ok) throw new Error(started.error.message);
    const id = started.value.id;
    await firstProgress(host, id);
    const pid = (await host.runs.status(id)).pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const failed = await until(host, id, ['failed', 'completed', 'cancelled']);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('engine-crashed');
    expect(failed.error?.message).toMatch(/SIGKILL/);
    const list = await host.request('lab:runs.list', {});
    expect(list.ok && list.value.length).toBeGreaterThanOrEqual(3);
  });
});
