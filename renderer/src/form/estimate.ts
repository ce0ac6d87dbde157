import { modelCost, type ModelCost } from '../../../shared/model-cost';
import { runReplicas } from '../../../shared/threads';

export { modelCost, type ModelCost };

/** What a backend sustains, and what it costs beyond the arithmetic. */
interface BackendSpeed {
  /** Dense-layer multiply-accumulates per second. */
  dense: number;
  /** Convolution multiply-accumulates per second. */
  conv: number;
  /** Fixed cost of one batch (kernel dispatch, batch assembly, optimiser), seconds. */
  perStep: number;
  /** Fixed cost of one epoch beyond its batches (probe LGGs, σ profiles, checkpoint), seconds. */
  perEpoch: number;
}

/**
 * Per thread. wasm was measured on 2 shared cores before runs trained as one replica per thread
 * (2026-12-03: one-epoch MNIST runs of the MLP and the reference CNN at widths 0.25–2 and batches
 * 16–256): convolutions reach under half the dense rate, and small
 * models are dominated by the per-batch and per-epoch costs, which the MAC count alone missed (the
 * estimate ran up to 10× low for them). The other backends are scaled guesses; the dashboard shows
 * the real throughput.
 */
const ASSUMED_SPEED: Record<string, BackendSpeed> = {
  'tensorflow-gpu': { dense: 2e11, conv: 2e11, perStep: 0.002, perEpoch: 0.5 },
  // TF.js's WebGPU kernels reach a fraction of cuDNN on the same card, and each kernel is a dispatch.
  webgpu: { dense: 5e10, conv: 5e10, perStep: 0.01, perEpoch: 1 },
  tensorflow: { dense: 1.5e10, conv: 1e10, perStep: 0.002, perEpoch: 0.5 },
  wasm: { dense: 5e9, conv: 2e9, perStep: 0.006, perEpoch: 2 },
};
/** The plain-JS backend, also assumed for a backend not listed. */
const CPU_SPEED: BackendSpeed = { dense: 2e8, conv: 2e8, perStep: 0.01, perEpoch: 2 };

/** The work of one epoch: training examples and batch, and the test examples evaluated after it. */
export interface EpochWork {
  /** Training examples seen in the epoch. */
  examples: number;
  /** Examples per optimiser step. */
  batchSize: number;
  /** Test examples evaluated at the end of the epoch. */
  evalExamples: number;
}

/**
 * Speed-up of each thread beyond the first on wasm and cpu, where a run trains as data-parallel
 * replicas (measured: reference CNN, 2 threads ÷ 1 in the same bench run; the replicas meet at every
 * BatchNorm and at the gradient sum, so the rest is spent waiting and copying).
 */
const REPLICA_EFFICIENCY = 0.85;

/**
 * Threads a run gets, as the engine decides: the spec's count, or (`auto`) the cores as far as the
 * step's arithmetic keeps them busy; at most the batch; 1 off wasm and cpu.
 */
export function runThreads(
  requested: unknown,
  cores: number,
  batchSize: number,
  backend: string,
  cost?: ModelCost,
): number {
  const n = typeof requested === 'number' && requested >= 1 ? Math.floor(requested) : undefined;
  return runReplicas({
    requested: n ?? 'auto',
    cap: n ?? cores,
    batchSize,
    backend,
    ...(cost ? { macsPerExample: cost.macs } : {}),
  });
}

/**
 * Seconds per epoch: training costs about three forward passes (forward, input and weight
 * gradients), evaluation one, each batch and each epoch a fixed cost on top. `calibration` is the
 * MACs/s a finished run actually achieved, when there is one (it replaces both MAC rates).
 */
export function epochSeconds(
  cost: ModelCost,
  work: EpochWork,
  backend: string,
  calibration?: number,
  threads = 1,
): number {
  const speed = ASSUMED_SPEED[backend] ?? CPU_SPEED;
  const dense = calibration ?? speed.dense;
  const conv = calibration ?? speed.conv;
  const forward = (cost.macs - cost.convMacs) / dense + cost.convMacs / conv;
  // Replicas share the arithmetic; each batch and each epoch still costs its fixed part.
  const speedup = 1 + REPLICA_EFFICIENCY * (Math.max(1, threads) - 1);
  const batches = Math.ceil(work.examples / work.batchSize) + Math.ceil(work.evalExamples / work.batchSize);
  return (
    (forward * (3 * work.examples + work.evalExamples)) / speedup + batches * speed.perStep + speed.perEpoch
  );
}
