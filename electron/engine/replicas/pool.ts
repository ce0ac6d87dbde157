import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../../../shared/backend-types.js';
import { LabFailure } from '../../../shared/result.js';
import type { BatchArrays } from '../data/batches.js';
import type { ExperimentPlugin, RunContext } from '../train/experiment.js';
import type { Sgd } from '../train/sgd.js';
import { phaseBody, phaseContext, phaseStop, type PhaseRunner } from '../train/phases.js';
import { trainStep, type StepValues } from '../train/step.js';
import { resetStop, sharedBatches } from './batch-loop.js';
import { ReplicaFailure, ReplicaGroup } from './group.js';
import { createReplicaMemory, ensureBytes, type ReplicaMemory } from './memory.js';
import type { PoolToWorker, WorkerInit, WorkerToPool } from './protocol.js';
import { readState } from './state.js';
import { replicaWorkerScript } from './worker-script.js';

/** Longest wait at a barrier for the other replicas before the run fails (a stuck or dead thread). */
export const DEFAULT_REPLICA_TIMEOUT_MS = 300_000;

/** Options of {@link ReplicaPool.start}. */
export interface PoolOptions {
  /** Replicas, the engine's thread included (≥ 2). */
  replicas: number;
  /** The engine's backend; workers start the same one. */
  backend: BackendName;
  /** Longest barrier wait, ms (default {@link DEFAULT_REPLICA_TIMEOUT_MS}). */
  timeoutMs?: number;
  /**
   * Replicas a training step uses (default: all). Fewer when the step's arithmetic does not keep
   * every thread busy: the others then serve the evaluation phases only, given the weights first.
   */
  trainReplicas?: number;
}

interface Replica {
  rank: number;
  worker: Worker;
  failures: MessagePort;
  /** Set once the thread is gone (exit, error), with why. */
  gone?: string;
}

/**
 * Data-parallel replicas of a run: the engine's thread is replica 0, worker threads are replicas
 * 1 … R − 1, each with its own backend instance and an identical copy of the model, optimiser and
 * plugin. A step shares the batch through shared memory; each replica runs {@link trainStep} on its
 * rows and they meet in the step's collectives (gathered representations, synchronised BatchNorm,
 * summed gradients), so all apply the same update and the weights never need broadcasting.
 */
export class ReplicaPool {
  private steps = 0;
  /** Collective calls made so far (numbers the next step's first call). */
  private calls = 0;
  /** Workers whose weights are behind the engine's (left out of the last steps), by rank. */
  private readonly stale = new Set<number>();

  private constructor(
    private readonly ctx: RunContext,
    private readonly plugin: ExperimentPlugin,
    private readonly sgd: Sgd,
    private readonly memory: ReplicaMemory,
    private readonly group: ReplicaGroup,
    private readonly workers: Replica[],
    private readonly trainReplicas: number,
  ) {}

  /** Replicas, the engine's thread included. */
  get size(): number {
    return this.memory.replicas;
  }

  /**
   * Starts R − 1 workers for the run of `ctx` (whose dataset must be in shared memory), waits until
   * each has built its copy, then gives them the engine's current weights and optimiser state.
   */
  static async start(
    ctx: RunContext,
    plugin: ExperimentPlugin,
    sgd: Sgd,
    o: PoolOptions,
  ): Promise<ReplicaPool> {
    const memory = createReplicaMemory(o.replicas);
    const timeoutMs = o.timeoutMs ?? DEFAULT_REPLICA_TIMEOUT_MS;
    const script = replicaWorkerScript();
    const workers: Replica[] = [];
    for (let rank = 1; rank < o.replicas; rank++) {
      const channel = new MessageChannel();
      const init: WorkerInit = {
        rank,
        memory,
        timeoutMs,
        backend: o.backend,
        runDir: ctx.runDir,
        dataDir: ctx.dataDir,
        spec: ctx.spec,
        data: ctx.data,
        failures: channel.port2,
      };
      const worker = new Worker(script.code, {
        eval: script.eval,
        workerData: init,
        transferList: [channel.port2],
        // A replica holds a model, its activations and a wasm heap of its own.
        resourceLimits: { maxOldGenerationSizeMb: 4096 },
      });
      const replica: Replica = { rank, worker, failures: channel.port1 };
      worker.on('error', (e) => (replica.gone ??= `its thread failed: ${e.message}`));
      worker.on('exit', (code) => (replica.gone ??= `its thread exited (code ${code})`));
      workers.push(replica);
    }
    const trainReplicas = Math.max(1, Math.min(o.trainReplicas ?? o.replicas, o.replicas));
    const pool = new ReplicaPool(
      ctx,
      plugin,
      sgd,
      memory,
      new ReplicaGroup(memory, 0, timeoutMs),
      workers,
      trainReplicas,
    );
    try {
      await Promise.all(workers.map((w) => pool.expect(w, 'ready')));
      await pool.syncState();
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** Resolves on the worker's next `type` message; rejects on its failure or exit. */
  private expect(w: Replica, type: WorkerToPool['type']): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        w.worker.off('message', onMessage);
        w.worker.off('exit', onExit);
      };
      const onMessage = (m: WorkerToPool): void => {
        if (m.type === 'failed') {
          cleanup();
          reject(this.failure(w.rank, m.error.message, m.error.code));
        } else if (m.type === type) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(this.failure(w.rank, w.gone ?? `its thread exited (code ${code})`));
      };
      w.worker.on('message', onMessage);
      w.worker.on('exit', onExit);
    });
  }

  private failure(rank: number, why: string, code?: string): LabFailure {
    return new LabFailure(
      code && code !== 'internal' && code !== 'replica-failed' ? code : 'replica-failed',
      `replica ${rank} (worker thread) failed: ${why}`,
    );
  }

  /** Gives every worker (or those listed) the engine's weights, buffers and momentum. */
  async syncState(ranks: readonly number[] = this.workers.map((w) => w.rank)): Promise<void> {
    const values = readState(this.ctx.model, this.sgd);
    const targets = this.workers.filter((w) => ranks.includes(w.rank));
    await Promise.all(
      targets.map((w) => {
        const applied = this.expect(w, 'state-applied');
        this.post(w, { type: 'state', values });
        return applied;
      }),
    );
  }

  private post(w: Replica, m: PoolToWorker): void {
    if (w.gone) throw this.failure(w.rank, w.gone);
    w.worker.postMessage(m);
  }

  /** Gives the workers left out of recent steps the engine's current state (before they take part again). */
  private async refresh(ranks: readonly number[]): Promise<void> {
    const behind = ranks.filter((r) => this.stale.has(r));
    if (behind.length === 0) return;
    await this.syncState(behind);
    for (const r of behind) this.stale.delete(r);
  }

  /**
   * One training step of the whole batch over the training replicas. A batch with fewer rows than
   * replicas runs on as many replicas as it has rows; the others get the new state before they
   * next take part (a step or a phase).
   */
  async step(batch: BatchArrays, lr: number, maxLoss: number): Promise<StepValues & { applied: boolean }> {
    const rows = batch.labels.length;
    const size = Math.min(this.trainReplicas, rows);
    await this.refresh(this.workers.slice(0, size - 1).map((w) => w.rank));
    const shape = this.ctx.trainBatches.inputShape;
    const per = shape.reduce((a, b) => a * b, 1);
    ensureBytes(this.memory.batch, rows * per * 4 + rows * 4, 'the batch');
    new Float32Array(this.memory.batch, 0, rows * per).set(batch.x);
    new Int32Array(this.memory.batch, rows * per * 4, rows).set(batch.labels);
    const step = this.steps++;
    const firstCall = this.calls;
    for (const w of this.workers.slice(0, size - 1)) {
      this.post(w, { type: 'step', step, firstCall, size, rows, lr, maxLoss });
    }
    const c = this.group.begin(step, size, rows, firstCall);
    const x = tf.tensor(batch.x.slice(c.rows.start * per, c.rows.end * per), [
      c.rows.end - c.rows.start,
      ...shape,
    ]);
    const labels = tf.tensor1d(batch.labels, 'int32');
    let result: StepValues & { applied: boolean };
    try {
      const shard = { x, labels, labelArray: batch.labels, replicas: c };
      result = await trainStep(this.ctx, this.plugin, this.sgd, shard, lr, maxLoss);
      this.calls = c.nextCall;
    } catch (e) {
      this.group.abort();
      throw this.explain(e);
    } finally {
      tf.dispose([x, labels]);
    }
    for (const w of this.workers.slice(size - 1)) this.stale.add(w.rank);
    return result;
  }

  /**
   * The run's phases over every replica: each worker runs the same phase code, their batch loops
   * share the batches, and the engine's thread returns the result.
   */
  phases(): PhaseRunner {
    return async (name, epoch) => {
      await this.refresh(this.workers.map((w) => w.rank));
      resetStop(this.memory.work);
      const step = this.steps++;
      const firstCall = this.calls;
      for (const w of this.workers) {
        this.post(w, { type: 'phase', name, epoch, step, firstCall, size: this.size });
      }
      const c = this.group.begin(step, this.size, 0, firstCall);
      try {
        const runner = sharedBatches(c, phaseStop(this.ctx, name));
        const out = await phaseBody(name, epoch, phaseContext(this.ctx, runner), this.plugin);
        c.end();
        this.calls = c.nextCall;
        return out;
      } catch (e) {
        this.group.abort();
        throw this.explain(e);
      }
    };
  }

  /** A failure seen by the engine's thread, with the failing worker's own message when it sent one. */
  private explain(e: unknown): unknown {
    if (!(e instanceof ReplicaFailure) || e.failedRank === undefined || e.failedRank === 0) return e;
    const w = this.workers.find((r) => r.rank === e.failedRank);
    if (!w) return e;
    for (let m = receiveMessageOnPort(w.failures); m; m = receiveMessageOnPort(w.failures)) {
      const msg = m.message as WorkerToPool;
      if (msg.type === 'failed') return this.failure(w.rank, msg.error.message, msg.error.code);
    }
    return w.gone ? this.failure(w.rank, w.gone) : e;
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    this.group.abort();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    for (const w of this.workers) w.failures.close();
  }
}
