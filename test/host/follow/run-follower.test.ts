import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetricsRecord, RunProgress, RunStatus } from '../../../shared/run-types.js';
import { writeJsonAtomic } from '../../../electron/common/atomic-file.js';
import { RunFollower } from '../../../electron/host/follow/index.js';
import { parsedSpec, useRunStore } from '../../helpers/runs.js';

const SPEC = parsedSpec({
  kind: 'train',
  dataset: 'blobs',
  model: { arch: 'mlp', hidden: [4] },
  study: 's1',
});

function step(n: number): MetricsRecord {
  return { type: 'step', epoch: 1, step: n, lr: 0.1, loss: 1 / n, acc: 0.5, components: {} };
}

describe('following run folders written elsewhere', () => {
  const ctx = useRunStore();

  function follower(driven = new Set<string>()) {
    const events = {
      status: [] as RunStatus[],
      metrics: [] as { id: string; record: MetricsRecord }[],
      probes: [] as { id: string; epoch: number }[],
      progress: [] as RunProgress[],
      landed: [] as string[],
    };
    const f = new RunFollower({
      runs: ctx.store,
      drivenHere: (id) => driven.has(id),
      decorate: (s) => Promise.resolve(s),
      events: {
        runStatus: (s) => events.status.push(s),
        runMetrics: (id, record) => events.metrics.push({ id, record }),
        runProbe: (id, epoch) => events.probes.push({ id, epoch }),
        runProgress: (p) => events.progress.push(p),
      },
      landed: (id) => events.landed.push(id),
    });
    return { f, events };
  }

  it('pushes a new run, its status changes, complete metrics lines (a torn one later), probes and progress', async () => {
    const existing = await ctx.store.create(SPEC);
    const { f, events } = follower();
    await f.tick(); // what is on disk now is known already
    expect(events.status).toEqual([]);

    // Another machine creates a run and trains it.
    const s = await ctx.store.create(SPEC);
    const dir = ctx.store.dir(s.id);
    await f.tick();
    expect(events.status.map((x) => [x.id, x.state])).toEqual([[s.id, 'queued']]);

    await ctx.store.updateStatus(s.id, { state: 'running' });
    const metrics = path.join(dir, 'metrics.jsonl');
    await fs.writeFile(metrics, `${JSON.stringify(step(1))}\n${JSON.stringify(step(2)).slice(0, 20)}`);
    await writeJsonAtomic(path.join(dir, 'progress.json'), {
      runId: 'elsewhere',
      phase: 'training',
      epoch: 1,
    });
    await f.tick();
    expect(events.status.at(-1)?.state).toBe('running');
    expect(events.metrics.map((m) => m.record.step)).toEqual([1]);
    expect(events.progress).toMatchObject([{ runId: s.id, phase: 'training' }]);

    // The torn line is completed, a probe snapshot lands.
    await fs.appendFile(metrics, `${JSON.stringify(step(2)).slice(20)}\n${JSON.stringify(step(3))}\n`);
    await fs.mkdir(path.join(dir, 'probes', 'e0000'), { recursive: true });
    await f.tick();
    expect(events.metrics.map((m) => m.record.step)).toEqual([1, 2, 3]);
    await fs.mkdir(path.join(dir, 'probes', 'e0001'));
    // Directory mtimes have a coarse clock on some filesystems: make the change visible.
    const later = new Date(Date.now() + 5000);
    await fs.utimes(path.join(dir, 'probes'), later, later);
    await f.tick();
    expect(events.probes.filter((p) => p.id === s.id).map((p) => p.epoch)).toContain(1);

    expect(events.landed).toEqual([]);
    await ctx.store.updateStatus(s.id, { state: 'completed' });
    await f.tick();
    expect(events.status.at(-1)).toMatchObject({ id: s.id, state: 'completed' });
    expect(events.landed).toEqual([s.id]);
    // The run that was there before never changed: nothing was pushed for it.
    expect(events.status.some((x) => x.id === existing.id)).toBe(false);
  });

  it('does not push again the lines a resume cut back, only what follows', async () => {
    const s = await ctx.store.create(SPEC);
    const metrics = path.join(ctx.store.dir(s.id), 'metrics.jsonl');
    await fs.writeFile(metrics, [1, 2, 3].map((n) => `${JSON.stringify(step(n))}\n`).join(''));
    const { f, events } = follower();
    await f.tick();
    await fs.writeFile(metrics, `${JSON.stringify(step(1))}\n`);
    await f.tick();
    expect(events.metrics).toEqual([]);
    await fs.appendFile(metrics, `${JSON.stringify(step(2))}\n`);
    await f.tick();
    expect(events.metrics.map((m) => m.record.step)).toEqual([2]);
  });

  it('leaves runs this host drives to their engine’s own events', async () => {
    const s = await ctx.store.create(SPEC);
    const { f, events } = follower(new Set([s.id]));
    await f.tick();
    await ctx.store.updateStatus(s.id, { state: 'running' });
    await fs.writeFile(path.join(ctx.store.dir(s.id), 'metrics.jsonl'), `${JSON.stringify(step(1))}\n`);
    await f.tick();
    expect(events.status).toEqual([]);
    expect(events.metrics).toEqual([]);
  });
});
