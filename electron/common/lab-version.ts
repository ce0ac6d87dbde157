import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The lab's version: the one-folder bundle's compiled-in `LGG_LAB_VERSION`, else the `version` of
 * the lab's package.json, found upwards from this module (from `electron/common/` in the sources
 * or `dist/electron/common/` when built). The CLI, the web server and the System screen all show
 * this one value.
 */
export function labVersion(): string {
  if (process.env.LGG_LAB_VERSION) return process.env.LGG_LAB_VERSION;
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'lgg-lab' && pkg.version) return (cached = pkg.version);
    } catch {
      // Not here: one folder up.
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}
