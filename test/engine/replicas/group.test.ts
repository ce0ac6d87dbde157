import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ReplicaGroup, shardRows } from '../../../electron/engine/replicas/group.js';
import { createReplicaMemory, type ReplicaMemory } from '../../../electron/engine/replicas/memory.js';
import { typescriptWorker } from '../../../electron/engine/replicas/worker-script.js';
import { batchLoops } from './group-batches.js';

type Script = 'collectives' | 'mismatch' | 'fail' | 'silent' | 'batches';

/** Starts group-peer.ts (TypeScript, through tsx) as replica `rank`; resolves with its message. */
function peer(
  memory: ReplicaMemory,
  rank: number,
  script: Script,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const { code } = typescriptWorker(new URL('./group-peer.ts', import.meta.url));
  const w = new Worker(code, { eval: true, workerData: { memory, rank, script, timeoutMs } });
  return new Promise((resolve, reject) => {
    w.once('message', (m: Record<string, unknown>) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

/** Runs `script` on replicas 1 … n − 1 while this thread plays replica 0's part through `mine`. */
async function group<T>(
  n: number,
  script: Script,
  mine: (g: ReplicaGroup) => T | Promise<T>,
  timeoutMs = 20_000,
) {
  const memory = createReplicaMemory(n);
  const peers = Array.from({ length: n - 1 }, (_, i) => peer(memory, i + 1, script));
  // Blocking this thread is what replica 0 does; give the peers time to start first.
  await new Promise((r) => setTimeout(r, 1500));
  let own: T | Error;
  try {
    own = await mine(new ReplicaGroup(memory, 0, timeoutMs));
  } catch (e) {
    own = e as Error;
  }
  return { own, peers: await Promise.all(peers) };
}

describe('replica group collectives in shared memory', () => {
  it('shards rows evenly, the first replicas taking the remainder', () => {
    expect([0, 1, 2].map((r) => shardRows(7, 3, r))).toEqual([
      { start: 0, end: 3, total: 7 },
      { start: 3, end: 5, total: 7 },
      { start: 5, end: 7, total: 7 },
    ]);
  });

  it('gathers rows and sums vectors (short and split) in rank order on every replica', async () => {
    const { own, peers } = await group(3, 'collectives', (g) => {
      const c = g.begin(0, 3, 7, 0);
      const gathered = c.gatherRows(Float32Array.from([0, 1, 100, 101, 200, 201]), 2);
      const big = c.sum(Float32Array.from({ length: 40000 }, (_, i) => i));
      const small = c.sum(Float32Array.from([0, 1]));
      c.end();
      return { gathered, big: [big[0], big[1], big[39999]], small: Array.from(small) };
    });
    const rows = Float32Array.from({ length: 14 }, (_, i) => 100 * (i >> 1) + (i & 1));
    const expected = { gathered: rows, big: [0, 6, 6 * 39999], small: [3, 3] };
    expect(own).toEqual(expected);
    for (const p of peers) expect(p).toEqual(expected);
  });

  it('shares the batches of a loop, every replica getting all results in batch order', async () => {
    const { own, peers } = await group(3, 'batches', (g) => batchLoops(g, 0));
    const all = [
      own as Awaited<ReturnType<typeof batchLoops>>,
      ...(peers as Awaited<ReturnType<typeof batchLoops>>[]),
    ];
    const full = Array.from({ length: 12 }, (_, b) => [b, b * b]).flat();
    for (const r of all) {
      expect(r.full).toEqual(full);
      expect(r.fullDone).toBe(12);
    }
    // Every batch computed once, and by more than one replica.
    expect(all.reduce((a, r) => a + r.mine, 0)).toBe(12);
    expect(all.filter((r) => r.mine > 0).length).toBeGreaterThan(1);
    // Stopped by replica 0: the same finished prefix everywhere, well short of the 50 batches.
    const cut = all[0]?.cut;
    expect(cut?.stopped).toBe(true);
    expect(cut?.done).toBeGreaterThanOrEqual(2);
    expect(cut?.done).toBeLessThan(50);
    expect(cut?.values).toEqual(Array.from({ length: cut?.done ?? 0 }, (_, b) => b + 0.5));
    for (const r of all) expect(r.cut).toEqual(cut);
  });

  it('fails loudly on every replica when their call sequences differ', async () => {
    const { own, peers } = await group(2, 'mismatch', (g) =>
      g.begin(0, 2, 7, 0).gatherRows(new Float32Array(8), 2),
    );
    expect(String(own)).toMatch(/disagree on the collective sequence.*gather.*sum/);
    expect(String(peers[0]?.error)).toMatch(/replica 0 failed|disagree/);
  });

  it('stops at the timeout, not forever, when a replica never arrives', async () => {
    const { own } = await group(2, 'silent', (g) => g.begin(0, 2, 4, 0).end(), 500);
    expect(String(own)).toMatch(/waited 0.5 s for the other replicas at end call 0 of step 0/);
  });

  it('wakes the waiting replicas with the failing one named when a replica aborts', async () => {
    const { own } = await group(2, 'fail', (g) => g.begin(0, 2, 4, 0).end());
    expect(String(own)).toMatch(/replica 1 failed; replica 0 stopped at end call 0 of step 0/);
  });
});
