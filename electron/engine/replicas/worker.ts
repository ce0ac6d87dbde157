// A replica of a training run in a worker thread: its own TF.js backend (its own wasm instance
// and the lab's kernels), its own copy of the model, plugin (and teacher) and optimiser, built from
// the run's spec exactly as the engine's thread builds them. It runs training steps on its shard of
// each batch when told, meeting the other replicas in shared memory, until the engine terminates it.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { toLabError } from '../../../shared/result.js';
import { selectBackend } from '../backend/select.js';
import type { Batch } from '../data/batches.js';
import type { ExperimentPlugin, RunContext } from '../train/experiment.js';
import { setupRun } from '../train/run-setup.js';
import { Sgd } from '../train/sgd.js';
import { phaseBody, phaseContext } from '../train/phases.js';
import { trainStep } from '../train/step.js';
import { sharedBatches } from './batch-loop.js';
import { ReplicaGroup } from './group.js';
import type { PoolToWorker, WorkerInit, WorkerToPool } from './protocol.js';
import { writeState } from './state.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('the replica worker must run in a worker thread');
const group = new ReplicaGroup(init.memory, init.rank, init.timeoutMs);
let run: { ctx: RunContext; plugin: ExperimentPlugin; sgd: Sgd } | undefined;

function send(m: WorkerToPool): void {
  port?.postMessage(m);
}

function fail(e: unknown): void {
  const m: WorkerToPool = { type: 'failed', rank: init.rank, error: toLabError(e) };
  // Twice: the engine's thread may be blocked in a barrier (it reads the failure port synchronously
  // once the abort word wakes it) or waiting for this worker's messages. Posted before the abort,
  // so the message is there when the abort wakes the others.
  init.failures.postMessage(m);
  send(m);
  group.abort();
}

// A thread that ends without having failed cleanly (it should not) must not leave the others waiting.
process.on('exit', () => group.abort());

function shardBatch(m: Extract<PoolToWorker, { type: 'step' }>, shape: readonly number[]): Batch {
  const per = shape.reduce((a, b) => a * b, 1);
  const c = group.begin(m.step, m.size, m.rows, m.firstCall);
  const x = new Float32Array(init.memory.batch, 0, m.rows * per);
  const labels = new Int32Array(init.memory.batch, m.rows * per * 4, m.rows).slice();
  const own = x.slice(c.rows.start * per, c.rows.end * per);
  return {
    x: tf.tensor(own, [c.rows.end - c.rows.start, ...shape], 'float32'),
    labels: tf.tensor1d(labels, 'int32'),
    labelArray: labels,
    replicas: c,
  };
}

async function handle(m: PoolToWorker): Promise<void> {
  if (!run) throw new Error('replica worker: a command arrived before set-up finished');
  const { ctx, plugin, sgd } = run;
  switch (m.type) {
    case 'state':
      writeState(ctx.model, sgd, m.values);
      send({ type: 'state-applied' });
      return;
    case 'step': {
      const batch = shardBatch(m, ctx.trainBatches.inputShape);
      try {
        await trainStep(ctx, plugin, sgd, batch, m.lr, m.maxLoss);
      } finally {
        tf.dispose([batch.x, batch.labels]);
      }
      return;
    }
    case 'phase': {
      const c = group.begin(m.step, m.size, 0, m.firstCall);
      // Replica 0 decides when a phase stops; this replica follows at the same loop.
      await phaseBody(
        m.name,
        m.epoch,
        phaseContext(
          ctx,
          sharedBatches(c, () => false),
        ),
        plugin,
      );
      c.end();
      return;
    }
  }
}

async function start(): Promise<void> {
  await selectBackend(init.backend);
  const io = { emit: () => undefined, cancelled: () => false };
  const { ctx, plugin } = await setupRun(init.spec, init.runDir, init.dataDir, io, { data: init.data });
  run = { ctx, plugin, sgd: new Sgd(ctx.model.params.trainable, init.spec.training) };
  // Commands come one at a time: the engine sends the next only after this one's last barrier.
  port?.on('message', (m: PoolToWorker) => void handle(m).catch(fail));
  send({ type: 'ready' });
}

start().catch(fail);
