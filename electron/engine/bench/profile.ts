import * as tf from '@tensorflow/tfjs-core';
import { benchBatch, type BenchRun } from './bench-run.js';

/** Time spent in one kernel (by TF.js kernel name) during a training step. */
export interface KernelProfile {
  /** Kernel name (`Conv2D`, `Conv2DBackpropFilter`, `LabBatchNormForward`, …). */
  kernel: string;
  /** Calls in the forward pass. */
  forwardCalls: number;
  /** Milliseconds in the forward pass. */
  forwardMs: number;
  /** Calls in the backward pass and the update (the whole step minus the forward pass). */
  backwardCalls: number;
  /** Milliseconds in the backward pass and the update. */
  backwardMs: number;
}

async function byKernel(f: () => Promise<void> | void): Promise<Map<string, [number, number]>> {
  const info = await tf.profile(async () => {
    await f();
  });
  const totals = new Map<string, [number, number]>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const [t, c] = totals.get(k.name) ?? [0, 0];
    totals.set(k.name, [t + ms, c + 1]);
  }
  return totals;
}

/**
 * Per-kernel time of one training step of `run` on this thread, split into the forward pass
 * (profiled alone, training mode) and the rest (the whole step profiled, minus the forward);
 * largest total first.
 */
export async function profileStep(run: BenchRun, batch: number): Promise<KernelProfile[]> {
  const b = benchBatch(run, batch, 0);
  await run.step(b);
  const x = tf.tensor(b.x, [batch, ...run.ctx.trainBatches.inputShape]);
  let forward: Map<string, [number, number]>;
  try {
    forward = await byKernel(() => {
      const fctx = { training: true, bnUpdates: [] as [tf.Variable, tf.Tensor][] };
      tf.tidy(() => void run.ctx.model.forward(x, fctx).output.dataSync());
      tf.dispose(fctx.bnUpdates.map(([, t]) => t));
    });
  } finally {
    x.dispose();
  }
  const step = await byKernel(() => run.step(b));
  // Custom-gradient ops (the lab's BatchNorm) also show as scopes ("unnamed scope", "forward") whose
  // time includes the kernels they run: only registered kernels are listed, so nothing counts twice.
  const backend = tf.getBackend();
  const names = new Set(
    [...forward.keys(), ...step.keys()].filter((k) => tf.getKernel(k, backend) !== undefined),
  );
  return [...names]
    .map((kernel) => {
      const [fMs, fCalls] = forward.get(kernel) ?? [0, 0];
      const [sMs, sCalls] = step.get(kernel) ?? [0, 0];
      return {
        kernel,
        forwardCalls: fCalls,
        forwardMs: fMs,
        backwardCalls: Math.max(0, sCalls - fCalls),
        backwardMs: Math.max(0, sMs - fMs),
      };
    })
    .sort((a, c) => c.forwardMs + c.backwardMs - (a.forwardMs + a.backwardMs));
}
