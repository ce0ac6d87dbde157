import type { ReplicaGroup } from '../../../electron/engine/replicas/group.js';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * What every replica of group.test.ts runs: a loop of 12 batches (each replica counts the batches
 * it computed), then a loop replica 0 stops after computing 2 batches of its own.
 */
export async function batchLoops(group: ReplicaGroup, rank: number) {
  const c = group.begin(1, group.replicas, 0, 0);
  let mine = 0;
  const full = await c.claimBatches(
    12,
    2,
    async (b) => {
      mine++;
      await pause(20);
      return [b, b * b];
    },
    () => false,
  );
  let own = 0;
  const cut = await c.claimBatches(
    50,
    1,
    async (b) => {
      if (rank === 0) own++;
      await pause(20);
      return [b + 0.5];
    },
    () => own >= 2,
  );
  c.end();
  return {
    full: Array.from(full.values),
    fullDone: full.done,
    mine,
    cut: { values: Array.from(cut.values), done: cut.done, stopped: cut.stopped },
  };
}
