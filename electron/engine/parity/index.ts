// The parity suite: every model and every loss of the lab, values and gradients, on a backend
// against the pure-JavaScript cpu backend (the reference). Run by the tests and by `gpu-check`.
import type { ParityResult } from '../../../shared/engine-protocol.js';
import { LOSS_CASES } from './losses.js';
import { MODEL_CASES } from './models.js';
import type { ParityCase } from './cases.js';
import { runOn, worstMismatch } from './compare.js';

export type { ParityCase } from './cases.js';
export {
  randomArrays,
  runOn,
  worstMismatch,
  type Arrays,
  type Computation,
  type Mismatch,
} from './compare.js';

/**
 * Relative tolerance: every entry within 5e-3 of the cpu value (of 1 % of the tensor's largest
 * entry for near-zero entries). float32 with other summation orders agrees to ~1e-5 on most cases;
 * PreActResNet18's first-layer gradients reach 1.5e-3 on lavapipe, and other GPUs round differently.
 */
export const PARITY_RTOL = 5e-3;

/** Every case: the four architectures, then the losses and the attacks' input gradient. */
export const PARITY_CASES: readonly ParityCase[] = [...MODEL_CASES, ...LOSS_CASES];

/** Runs one case on `backend` and on cpu and compares them (the current backend is left on `backend`). */
export async function runParityCase(
  c: ParityCase,
  backend: string,
  rtol = PARITY_RTOL,
): Promise<ParityResult> {
  const inputs = c.inputs();
  const reference = await runOn('cpu', inputs, c.make);
  const t0 = performance.now();
  const actual = await runOn(backend, inputs, c.make);
  const ms = performance.now() - t0;
  const worst = worstMismatch(actual, reference);
  return {
    name: c.name,
    outputs: reference.length,
    values: reference.reduce((n, r) => n + r.length, 0),
    worstError: worst.error,
    ...(worst.error > rtol
      ? {
          worst: { output: worst.output, index: worst.index, actual: worst.actual, expected: worst.expected },
        }
      : {}),
    ok: worst.error <= rtol,
    ms,
  };
}

/** The whole suite, one case after another, reporting each as it finishes. */
export async function runParitySuite(
  backend: string,
  onCase?: (r: ParityResult, done: number, total: number) => void,
): Promise<ParityResult[]> {
  const results: ParityResult[] = [];
  for (const c of PARITY_CASES) {
    const r = await runParityCase(c, backend);
    results.push(r);
    onCase?.(r, results.length, PARITY_CASES.length);
  }
  return results;
}
