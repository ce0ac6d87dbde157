/**
 * Throws unless |actual − expected| ≤ rtol · max(|expected|, floor) elementwise, where the floor
 * (1e-2 of the largest |expected|) keeps near-zero entries of a sum from demanding exact cancellation.
 */
export function assertClose(
  actual: Float32Array,
  expected: Float32Array,
  rtol = 1e-4,
  what = 'values',
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} ≠ expected ${expected.length}`);
  }
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  const floor = 1e-2 * scale + 1e-12;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (!(Math.abs(a - e) <= rtol * Math.max(Math.abs(e), floor))) {
      throw new Error(`${what}[${i}]: got ${a}, expected ${e} (rtol ${rtol}, scale ${scale})`);
    }
  }
}
