import type { Arrays, Computation } from './compare.js';

/** One computation compared between a backend and the cpu reference. */
export interface ParityCase {
  /** What is compared, e.g. `model wrn: forward, taps, loss, every gradient, BN statistics`. */
  name: string;
  /** The inputs, as host arrays (the same on both backends). */
  inputs: () => Arrays;
  /** Builds the computation on the current backend. */
  make: () => Computation;
}
