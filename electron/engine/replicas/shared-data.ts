import type { LoadedDataset, SplitData } from '../data/dataset.js';

type Shareable = Uint8Array | Float32Array | Int32Array;

function shared<T extends Shareable>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

function sharedSplit(s: SplitData): SplitData {
  return { count: s.count, x: shared(s.x), y: shared(s.y) };
}

/**
 * The dataset with its arrays moved to shared memory, so every replica's worker reads the same
 * bytes (posting it to a worker shares the buffers instead of copying the set per thread).
 */
export function shareDataset(d: LoadedDataset): LoadedDataset {
  return { ...d, train: sharedSplit(d.train), test: sharedSplit(d.test) };
}
