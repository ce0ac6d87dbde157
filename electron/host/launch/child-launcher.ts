import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineToHost } from '../../../shared/engine-protocol.js';
import type { EngineHandle, EngineLauncher } from '../engine-launcher.js';

/**
 * The compiled engine entry. From the built host (dist/electron/host/launch/) it sits beside it;
 * from sources (tests) the built copy under dist/ is used.
 */
export function defaultEngineEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // The one-folder bundle (npm run bundle:engine) puts engine.js beside the CLI.
  const bundled = path.join(here, 'engine.js');
  if (path.basename(here) !== 'launch' && existsSync(bundled)) return bundled;
  const sibling = path.resolve(here, '..', '..', 'engine', 'main.js');
  if (existsSync(sibling)) return sibling;
  const built = path.resolve(here, '..', '..', '..', 'dist', 'electron', 'engine', 'main.js');
  if (existsSync(built)) return built;
  throw new Error(`engine entry not found (looked for ${sibling} and ${built}); run "npm run build" first`);
}

/** Starts engines with child_process.fork (CLI, web mode, tests). */
export class ChildProcessLauncher implements EngineLauncher {
  constructor(private readonly entry: string = defaultEngineEntry()) {}

  launch(): EngineHandle {
    const child = fork(this.entry, [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // The engine gets its own heap limit: large datasets and wasm memory live there, not in the host.
      execArgv: ['--max-old-space-size=8192'],
      serialization: 'advanced',
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        if (child.connected) child.send(m);
      },
      onMessage: (l) => child.on('message', (m) => l(m as EngineToHost)),
      onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
      onStderr: (l) => child.stderr?.on('data', (d: Buffer) => l(d.toString('utf8'))),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  }
}
