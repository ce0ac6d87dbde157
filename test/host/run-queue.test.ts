import { promises as fs } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/run-types.js';
import { RunQueue } from '../../electron/host/runs/run-queue.js';
import { RunStore } from '../../electron/host/runs/run-store.js';
import { FakeLauncher } from '../helpers/fake-engine.js';
import { parsedSpec, tempDataDir, useRunStore } from '../helpers/runs.js';

const spec = () => parsedSpec({ kind: 'train', training: { epochs: 3 } });

describe('run queue (scripted engines)', () => {
  const t = useRunStore();

  function queue(launcher: FakeLauncher, prepare?: (id: string) => Promise<void>) {
    const statuses: RunStatus[] = [];
    const q = new RunQueue(
      t.store,
      launcher,
      t.dir,
      { status: (s) => statuses.push(s), message: () => undefined },
      { concurrency: 2, cores: 4, ...(prepare ? { prepare } : {}) },
    );
    return { q, statuses };
  }

  it('grants a run the free cores, takes back what its engine does not use, and records the threads', async () => {
    const launcher = new FakeLauncher();
    const { q } = queue(launcher);
    const a = await t.store.create(spec());
    const b = await t.store.create(spec());
    await q.enqueue(a.id);
    await expect.poll(() => launcher.engines[0]?.job).toMatchObject({ type: 'train', threads: 4 });
    expect(q.threadUse()).toMatchObject({ cores: 4, inUse: 4, maxConcurrentRuns: 2 });
    // The engine trains on 2 (say its batch has 2 rows): 2 cores are free again.
    launcher.engines[0]!.report({
      type: 'progress',
      progress: {
        runId: a.id,
        phase: 'training',
        epoch: 1,
        totalEpochs: 3,
        step: 1,
        stepsPerEpoch: 9,
        samplesPerSec: 1,
        etaSec: 1,
        threads: 2,
      },
    });
    await expect.poll(async () => (await t.store.status(a.id)).threads).toBe(2);
    await q.enqueue(b.id);
    await expect.poll(() => launcher.engines[1]?.job).toMatchObject({ threads: 2 });
    expect(q.threadUse().inUse).toBe(4);
    launcher.engines[0]!.finish();
    launcher.engines[1]!.finish();
    await Promise.all([q.waitFor(a.id), q.waitFor(b.id)]);
    expect(q.threadUse().inUse).toBe(0);
    const c = await t.store.create(parsedSpec({ kind: 'train', threads: 3 }));
    await q.enqueue(c.id);
    await expect.poll(() => launcher.engines[2]?.job).toMatchObject({ threads: 3 });
    launcher.engines[2]!.finish();
    await q.waitFor(c.id);
  });

  it('starts one engine when the same run is resumed twice at once', async () => {
    const launcher = new FakeLauncher();
    const { q } = queue(launcher);
    const { id } = await t.store.create(spec());
    await t.store.updateStatus(id, { state: 'interrupted' });
    await Promise.all([q.enqueue(id, true), q.enqueue(id, true)]);
    await expect.poll(() => launcher.engines[0]?.job).toBeDefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(launcher.engines).toHaveLength(1);
    expect(q.counts()).toEqual({ running: 1, queued: 0 });
    launcher.engines[0]!.finish();
    await q.waitFor(id);
    expect((await t.store.status(id)).state).toBe('completed');
  });

  it('resumes a run on the backend asked for, the spec’s own otherwise', async () => {
    const launcher = new FakeLauncher();
    const { q } = queue(launcher);
    const { id } = await t.store.create(parsedSpec({ kind: 'train', backend: 'webgpu' }));
    await t.store.updateStatus(id, { state: 'failed' });
    await q.enqueue(id, true, 'wasm');
    await expect.poll(() => launcher.engines[0]?.job).toBeDefined();
    expect(launcher.engines[0]!.backend).toBe('wasm');
    launcher.engines[0]!.finish();
    await q.waitFor(id);
    await t.store.updateStatus(id, { state: 'failed' });
    await q.enqueue(id, true);
    await expect.poll(() => launcher.engines[1]?.job).toBeDefined();
    expect(launcher.engines[1]!.backend).toBe('webgpu');
    launcher.engines[1]!.finish();
    await q.waitFor(id);
  });

  it('records the pid of an engine that learns it only once spawned (utility process)', async () => {
    const launcher = new FakeLauncher({ pidAtSpawn: 31337 });
    const { q } = queue(launcher);
    const { id } = await t.store.create(spec());
    await q.enqueue(id);
    await expect.poll(async () => (await t.store.status(id)).pid).toBe(31337);
    expect(await q.stop(id)).toBe(true);
    await q.waitFor(id);
    const end = await t.store.status(id);
    expect(end.state).toBe('cancelled');
    expect(end.pid).toBeUndefined();
  });

  it('survives a run folder deleted while queued: no rejection escapes, the queue goes on', async () => {
    const launcher = new FakeLauncher();
    const { q } = queue(launcher, async (id) => {
      await fs.rm(t.store.dir(id), { recursive: true, force: true });
    });
    const gone = await t.store.create(spec());
    await q.enqueue(gone.id);
    await q.waitFor(gone.id);
    expect(q.counts()).toEqual({ running: 0, queued: 0 });
    expect(launcher.engines).toHaveLength(0);
  });
});

describe('run queue and a concurrent status read', () => {
  it('a queued run stopped while the list is read ends cancelled, not interrupted', async () => {
    const data = await tempDataDir();
    try {
      const store = new RunStore(data.dir);
      const q = new RunQueue(
        store,
        new FakeLauncher(),
        data.dir,
        { status: () => undefined, message: () => undefined },
        // Nothing starts: the run stays queued.
        { concurrency: 0 },
      );
      for (let i = 0; i < 20; i++) {
        const { id } = await store.create(spec());
        await q.enqueue(id);
        await Promise.all([q.stop(id), store.status(id)]);
        expect((await store.status(id)).state).toBe('cancelled');
      }
    } finally {
      await data.cleanup();
    }
  });
});
