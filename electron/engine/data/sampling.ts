import { Rng, Stream } from '../../../shared/rng.js';

/** Indices grouped by label. */
export function indicesByClass(labels: Int32Array, classes: number): number[][] {
  const by: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((l, i) => by[l]?.push(i));
  return by;
}

/**
 * A class-balanced sample of `total` indices (as equal per class as the counts allow), seeded,
 * returned sorted by class then index (stable and comparable across runs).
 */
export function balancedSample(labels: Int32Array, classes: number, total: number, rng: Rng): Int32Array {
  const by = indicesByClass(labels, classes).map((ix) => rng.shuffle(Int32Array.from(ix)));
  const take = new Array<number>(classes).fill(0);
  let left = Math.min(total, labels.length);
  // Round-robin so small classes give what they have and the rest is spread evenly.
  while (left > 0) {
    let progressed = false;
    for (let c = 0; c < classes && left > 0; c++) {
      if ((take[c] ?? 0) < (by[c]?.length ?? 0)) {
        take[c] = (take[c] ?? 0) + 1;
        left--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  const out: number[] = [];
  by.forEach((ix, c) => out.push(...Array.from(ix.subarray(0, take[c] ?? 0)).sort((a, b) => a - b)));
  return Int32Array.from(out);
}

/** The probe batch of METHODS.md §6: `perClass` test examples per class, class-sorted, fixed seed. */
export function probeIndices(
  testLabels: Int32Array,
  classes: number,
  perClass: number,
  seed: number,
): Int32Array {
  return balancedSample(testLabels, classes, perClass * classes, new Rng(seed, Stream.probe));
}

/** Seeded train / validation split of the training indices (class-stratified). */
export function trainValidationSplit(
  labels: Int32Array,
  classes: number,
  fraction: number,
  subset: number | null,
  seed: number,
): { train: Int32Array; val: Int32Array } {
  const rng = new Rng(seed, Stream.split);
  const pool =
    subset !== null ? balancedSample(labels, classes, subset, rng) : Int32Array.from(labels.keys());
  if (fraction <= 0) return { train: pool, val: new Int32Array(0) };
  const train: number[] = [];
  const val: number[] = [];
  const poolLabels = Int32Array.from(pool, (i) => labels[i] ?? 0);
  indicesByClass(poolLabels, classes).forEach((ix) => {
    const shuffled = rng.shuffle(Int32Array.from(ix, (j) => pool[j] ?? 0));
    const nVal = Math.round(shuffled.length * fraction);
    val.push(...shuffled.subarray(0, nVal));
    train.push(...shuffled.subarray(nVal));
  });
  return {
    train: Int32Array.from(train.sort((a, b) => a - b)),
    val: Int32Array.from(val.sort((a, b) => a - b)),
  };
}
