import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** What `new Worker(code, { eval })` runs. */
export interface WorkerScript {
  /** The module file, or (with `eval`) source text. */
  code: string | URL;
  /** Whether `code` is source text. */
  eval: boolean;
}

/**
 * Source text of a worker that runs a TypeScript module through tsx (a dev dependency): what the
 * tests, which run the sources, use in place of a compiled worker file.
 */
export function typescriptWorker(entry: URL): WorkerScript {
  const tsxApi = path.join(
    path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
    'dist/esm/api/index.mjs',
  );
  const code =
    `import(${JSON.stringify(pathToFileURL(tsxApi).href)})` +
    `.then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return { code, eval: true };
}

/** The replica worker: the compiled module beside this one, or its TypeScript source (tests). */
export function replicaWorkerScript(): WorkerScript {
  const self = import.meta.url;
  if (self.endsWith('.js')) return { code: new URL('./worker.js', self), eval: false };
  return typescriptWorker(new URL('./worker.ts', self));
}
