// Data-parallel training over worker threads: the pool (engine side), the collectives a step uses
// (gathered representations, synchronised BatchNorm sums, summed gradients) and how a run's thread
// count is chosen. The worker entry (worker.ts) is loaded by the pool, not imported.
export { shardRows, type Collective, type ShardRows, ReplicaFailure } from './group.js';
export { gatherBatch, sumGradients, wholeBatch } from './ops.js';
export { DEFAULT_REPLICA_TIMEOUT_MS, ReplicaPool, type PoolOptions } from './pool.js';
export { shareDataset } from './shared-data.js';
export { readState, writeState } from './state.js';
export { availableCores, replicaCount } from './threads.js';
