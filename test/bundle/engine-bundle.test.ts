import { execFile } from 'node:child_process';
import { cpSync, promises as fs, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuCheckResult } from '../../shared/engine-protocol.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');

function size(p: string): number {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((n, f) => n + size(path.join(p, f)), 0) : s.size;
}

// `npm run bundle:engine` builds one folder; copied to an empty folder outside the checkout (no
// node_modules above it), it must train and check the GPU with plain Node and nothing else.
describe('the one-folder engine bundle', () => {
  let tmp = '';
  let bundle = '';
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lgg-bundle-'));
    const built = path.join(tmp, 'built');
    await run(process.execPath, [path.join(ROOT, 'scripts', 'bundle-engine.mjs'), built], { cwd: ROOT });
    bundle = path.join(tmp, 'elsewhere', 'lgg-lab-engine');
    cpSync(built, bundle, { recursive: true });
    await fs.rm(built, { recursive: true, force: true });
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  const lab = (args: string[]) =>
    run(process.execPath, ['lgg-lab.js', ...args, '--data-dir', path.join(tmp, 'data')], {
      cwd: bundle,
      env: { PATH: process.env.PATH ?? '', HOME: tmp },
      maxBuffer: 16 << 20,
    });

  it('is one folder well under 64 MB with the CLI, the engine, the wasm binaries and dawn.node for linux-x64', () => {
    expect(size(bundle)).toBeLessThan(48 * 2 ** 20);
    for (const f of [
      'lgg-lab.js',
      'engine.js',
      'tfjs-backend-wasm-simd.wasm',
      'worker.js',
      'lab-kernels.wasm',
      'node_modules/webgpu/dist/linux-x64/dawn.node',
    ]) {
      expect(statSync(path.join(bundle, f)).size, f).toBeGreaterThan(0);
    }
    expect(readdirSync(path.join(bundle, 'node_modules'))).toEqual(['webgpu']);
  });

  it('trains a short run from there', async () => {
    const { stdout } = await lab([
      'run',
      '--preset',
      'mnist-mlp-quick',
      '--dataset',
      'spirals',
      '--epochs',
      '1',
      '--set',
      'training.stepsPerEpoch=10',
      '--backend',
      'wasm',
    ]);
    expect(stdout).toMatch(/: completed · test accuracy \d/);
  });

  // A minute on lavapipe when the machine is idle; the timeout leaves room for a loaded one.
  it(
    'runs gpu-check from there: adapters, the parity suite on webgpu, a JSON and Markdown report',
    { timeout: 420_000 },
    async () => {
      const { stdout } = await lab(['gpu-check', '--no-bench']);
      expect(stdout).toContain('# LGG Lab GPU check');
      const reports = readdirSync(path.join(bundle, 'bench-results'));
      const json = reports.find((f) => f.startsWith('gpu-check-') && f.endsWith('.json'));
      expect(reports).toContain(json?.replace(/\.json$/, '.md'));
      const report = JSON.parse(await fs.readFile(path.join(bundle, 'bench-results', json!), 'utf8')) as {
        checks: { backend: string; check?: GpuCheckResult; error?: string }[];
      };
      const webgpu = report.checks.find((c) => c.backend === 'webgpu')!;
      if (webgpu.error) {
        // Only where no adapter exists at all (CI installs lavapipe): the report says why.
        expect(stdout).toContain('webgpu failed');
        console.warn(`gpu-check from the bundle found no WebGPU adapter: ${webgpu.error}`);
        return;
      }
      expect(webgpu.check!.adapters.length).toBeGreaterThan(0);
      expect(webgpu.check!.parity.length).toBeGreaterThan(10);
      expect(webgpu.check!.parity.every((p) => p.ok)).toBe(true);
    },
  );
});
