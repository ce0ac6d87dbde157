import type { ReportTable, SplitMetrics } from '../../../shared/run-types.js';
import { localBatches, type BatchRunner } from './batch-loop.js';
import { confusionTable, evaluateSplits } from './evaluate.js';
import type { ExperimentPlugin, FinishResult, RunContext } from './experiment.js';

/**
 * Phases of a run besides training steps that spread their batch loops over the replicas: every
 * replica runs the same phase code with a shared {@link BatchRunner}, claims batches from it, and
 * gets every batch's values. Only the engine's thread (replica 0) keeps the result.
 */
export interface PhaseResults {
  /**
   * End of an epoch: test (and validation) loss and accuracy, and the plugin's epoch metrics when
   * it computes them on every replica (`epochMetricsOnReplicas`).
   */
  evaluate: { test: SplitMetrics; val?: SplitMetrics; extra?: Record<string, number> };
  /** End of the run: the confusion matrix of the test split. */
  confusion: ReportTable;
  /** End of the run: the plugin's final evaluation (plugins with `finishOnReplicas`). */
  finish: FinishResult;
}

export type PhaseName = keyof PhaseResults;

/** Runs a phase (at the end of epoch `epoch`, counted from 1): over the replicas, or in this thread. */
export type PhaseRunner = <N extends PhaseName>(name: N, epoch: number) => Promise<PhaseResults[N]>;

/** Whether a phase stops when the host cancels: only the final evaluation does (it is long). */
function cancellable(name: PhaseName): boolean {
  return name === 'finish';
}

/**
 * The context a phase's code sees: its batch runner, and a cancellation that every replica sees
 * at the same point (when a loop of the phase stopped), so all leave the phase together. In one
 * thread (`stop` given) the host's cancel is also seen at once, between loops.
 */
export function phaseContext(ctx: RunContext, runner: BatchRunner, stop?: () => boolean): RunContext {
  return { ...ctx, batches: runner, cancelled: () => runner.stopped || (stop?.() ?? false) };
}

/** The stop condition of a phase's loops, read on the engine's thread. */
export function phaseStop(ctx: RunContext, name: PhaseName): () => boolean {
  return cancellable(name) ? () => ctx.cancelled() : () => false;
}

/** The code of a phase, the same on every replica. */
export async function phaseBody<N extends PhaseName>(
  name: N,
  epoch: number,
  ctx: RunContext,
  plugin: ExperimentPlugin,
): Promise<PhaseResults[N]> {
  const bodies: { [K in PhaseName]: () => Promise<PhaseResults[K]> } = {
    evaluate: async () => {
      await plugin.prepareEvaluation?.(ctx);
      const splits = await evaluateSplits(ctx, plugin);
      if (!plugin.epochMetricsOnReplicas || !plugin.epochMetrics) return splits;
      return { ...splits, extra: await plugin.epochMetrics(ctx, epoch) };
    },
    confusion: () => confusionTable(ctx),
    finish: async () => (await plugin.finish?.(ctx)) ?? { metrics: {}, tables: [] },
  };
  return bodies[name]();
}

/** Phases in this thread alone. */
export function localPhases(ctx: RunContext, plugin: ExperimentPlugin): PhaseRunner {
  return (name, epoch) => {
    const stop = phaseStop(ctx, name);
    return phaseBody(name, epoch, phaseContext(ctx, localBatches(stop), stop), plugin);
  };
}
