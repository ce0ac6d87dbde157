// A replica thread for group.test.ts: joins the group in shared memory and plays a script.
import { parentPort, workerData } from 'node:worker_threads';
import { ReplicaGroup } from '../../../electron/engine/replicas/group.js';
import type { ReplicaMemory } from '../../../electron/engine/replicas/memory.js';
import { batchLoops } from './group-batches.js';

const { memory, rank, script, timeoutMs } = workerData as {
  memory: ReplicaMemory;
  rank: number;
  script: 'collectives' | 'mismatch' | 'fail' | 'silent' | 'batches';
  timeoutMs: number;
};
const group = new ReplicaGroup(memory, rank, timeoutMs);
try {
  if (script === 'silent') {
    parentPort?.postMessage({ done: true });
  } else if (script === 'batches') {
    parentPort?.postMessage(await batchLoops(group, rank));
  } else if (script === 'fail') {
    group.abort();
    parentPort?.postMessage({ done: true });
  } else {
    const c = group.begin(0, memory.replicas, 7, 0);
    const rows = c.rows.end - c.rows.start;
    const own = Float32Array.from({ length: rows * 2 }, (_, i) => 100 * (c.rows.start + (i >> 1)) + (i & 1));
    const gathered = script === 'mismatch' ? c.sum(own) : c.gatherRows(own, 2);
    const big = c.sum(Float32Array.from({ length: 40000 }, (_, i) => (rank + 1) * i));
    const small = c.sum(Float32Array.from([rank, 1]));
    c.end();
    parentPort?.postMessage({ gathered, big: [big[0], big[1], big[39999]], small: Array.from(small) });
  }
} catch (e) {
  parentPort?.postMessage({ error: (e as Error).message });
}
