import * as tf from '@tensorflow/tfjs-core';
import { benchBatch, type BenchRun } from './bench-run.js';

/** Time spent in one kernel (by TF.js kernel name) during a training step. */
export interface KernelProfile {
  /** Kernel name (`Conv2D`, `Conv2DBackpropFilter`, `forward` for the lab's custom-gradient ops, …). */
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
 * largest total first. Custom-gradient ops (the lab's BatchNorm) show as `forward`/their inner
 * kernels, as TF.js records them.
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
  const names = new Set([...forward.keys(), ...step.keys()]);
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
