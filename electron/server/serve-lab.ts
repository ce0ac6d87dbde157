import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabFailure } from '../../shared/result.js';
import { createLabHost } from '../host/lab-host.js';
import { startWebServer } from './web-server.js';

/** Options of {@link serveLab}. */
export interface ServeLabOptions {
  /** The lab's data folder. */
  dataDir: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to bind (default 127.0.0.1). */
  bind?: string;
  /** The built renderer; default dist/renderer next to this build. */
  rendererDir?: string;
  /** App version for the System screen. */
  version?: string;
  /** Largest uploaded file, bytes. */
  maxUploadBytes?: number;
  /** Milliseconds between polls of run folders other processes write (default 1000). */
  followIntervalMs?: number;
  /**
   * Server folders requests may name besides the data folder (which holds the uploads): imports,
   * analyses and teacher checkpoints anywhere else are refused (see the host's PathPolicy).
   */
  allowPaths?: readonly string[];
}

/** A running web-mode lab. */
export interface ServedLab {
  /** The URL to open, with its access token. */
  url: string;
  /** Port bound. */
  port: number;
  /** Real paths of the folders requests may name. */
  allowedRoots: readonly string[];
  /** Stops the server, then the host (running runs checkpoint and become interrupted). */
  close(): Promise<void>;
}

/** dist/renderer, from dist/electron/server/serve-lab.js. */
export function defaultRendererDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'renderer');
}

/** Starts the host and the web server on it: `lgg-lab serve` and the `npm start` fallback. */
export async function serveLab(options: ServeLabOptions): Promise<ServedLab> {
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    throw new LabFailure(
      'not-built',
      `The UI is not built (${rendererDir} has no index.html): run \`npm run build\` first.`,
    );
  }
  const host = await createLabHost({
    dataDir: options.dataDir,
    mode: 'web',
    allowedRoots: [options.dataDir, ...(options.allowPaths ?? [])],
    ...(options.version ? { version: options.version } : {}),
  });
  // Runs written elsewhere (Slurm tasks on compute nodes) appear and update live in the browser.
  host.follow(options.followIntervalMs !== undefined ? { intervalMs: options.followIntervalMs } : {});
  try {
    const server = await startWebServer({
      host,
      dataDir: options.dataDir,
      rendererDir,
      port: options.port,
      ...(options.bind ? { bind: options.bind } : {}),
      ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
    });
    return {
      url: server.url,
      port: server.port,
      allowedRoots: host.pathPolicy.roots ?? [],
      close: async () => {
        await server.close();
        await host.close();
      },
    };
  } catch (e) {
    await host.close();
    throw e;
  }
}
