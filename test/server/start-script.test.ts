import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const built =
  existsSync(path.join(root, 'dist', 'electron', 'server', 'serve-lab.js')) &&
  existsSync(path.join(root, 'dist', 'renderer', 'index.html'));
if (!built) {
  console.warn('npm start test skipped: no build in dist/ (run `npm run build`; `npm test` builds first)');
}

describe('npm start', () => {
  // Needs `npm run build` (as `npm test` does first).
  it.skipIf(!built)('falls back to web mode quickly, says why, prints a working URL', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'lgg-start-'));
    // No display (and on other OSes, an explicit request) so Electron is never launched here.
    const env = {
      ...process.env,
      LGG_LAB_HOME: home,
      DISPLAY: '',
      WAYLAND_DISPLAY: '',
      ...(process.platform === 'linux' ? {} : { LGG_LAB_WEB: '1' }),
    };
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    try {
      await expect
        .poll(() => /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)?.[0], {
          timeout: 20_000,
          interval: 100,
        })
        .toBeTruthy();
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(out).toMatch(/Electron cannot start because .+/);
      expect(out).toContain('starting in web mode');
      const url = /http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/.exec(out)![0];
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(home, { recursive: true, force: true });
    }
  });
});
