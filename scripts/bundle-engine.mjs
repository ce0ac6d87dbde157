// `npm run bundle:engine`: the CLI and the engine as one folder that runs with plain Node 20+ and
// nothing else (no npm, no internet): for an offline GPU server or a cluster node.
//   dist/lgg-lab-engine/lgg-lab.js          the `lgg-lab` command (node lgg-lab.js <command>)
//   dist/lgg-lab-engine/engine.js           the engine process it starts
//   dist/lgg-lab-engine/image-decode-worker.js
//   dist/lgg-lab-engine/worker.js           a training replica (one worker thread per further core)
//   dist/lgg-lab-engine/*.wasm              TF.js's WebAssembly backend, and the lab's lab-kernels.wasm
//   dist/lgg-lab-engine/node_modules/webgpu Dawn's Node bindings, dawn.node for linux-x64 only
// Not included: the bundled MNIST (53 MB; import it with `lgg-lab import`), the UI (`serve`), the
// optional native TensorFlow packages.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist', 'lgg-lab-engine'));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
/** Dawn's binaries to ship, as `<platform>-<arch>` folders of the webgpu package. */
const DAWN_TARGETS = (process.env.LGG_LAB_BUNDLE_DAWN ?? 'linux-x64').split(',');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// CommonJS output: TF.js's wasm loader finds its .wasm files beside `__dirname`, which ESM lacks;
// our own code reads import.meta.url, shimmed to the bundle file's URL.
const shim = path.join(out, '.import-meta-shim.js');
writeFileSync(shim, "export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;\n");
await build({
  entryPoints: {
    'lgg-lab': path.join(root, 'electron', 'cli', 'bundle-entry.ts'),
    engine: path.join(root, 'electron', 'engine', 'main.ts'),
    'image-decode-worker': path.join(root, 'electron', 'host', 'datasets', 'image-decode-worker.ts'),
    // The replica pool starts `./worker.js` beside the module that holds it (engine.js here).
    worker: path.join(root, 'electron', 'engine', 'replicas', 'worker.ts'),
  },
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  inject: [shim],
  define: { 'import.meta.url': 'importMetaUrl', 'process.env.LGG_LAB_VERSION': JSON.stringify(pkg.version) },
  // Loaded at run time when present: Dawn (copied below) and the optional native TensorFlow.
  external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'electron'],
  legalComments: 'none',
  logLevel: 'warning',
});
rmSync(shim);

// The lab's own SIMD kernels, read beside the module that loads them (built first if missing).
const labWasm = path.join(root, 'dist', 'electron', 'engine', 'kernels', 'lab-kernels.wasm');
execFileSync(process.execPath, [path.join(root, 'scripts', 'build-wasm.mjs')], { stdio: 'inherit' });
cpSync(labWasm, path.join(out, 'lab-kernels.wasm'));

const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
for (const f of readdirSync(path.join(wasmDir, 'dist')).filter((f) => f.endsWith('.wasm'))) {
  cpSync(path.join(wasmDir, 'dist', f), path.join(out, f));
}

const dawnDir = path.dirname(require.resolve('webgpu/package.json'));
const dawnOut = path.join(out, 'node_modules', 'webgpu');
mkdirSync(dawnOut, { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md'])
  cpSync(path.join(dawnDir, f), path.join(dawnOut, f));
for (const t of DAWN_TARGETS)
  cpSync(path.join(dawnDir, 'dist', t), path.join(dawnOut, 'dist', t), { recursive: true });

writeFileSync(
  path.join(out, 'package.json'),
  `${JSON.stringify({ name: 'lgg-lab-engine', version: pkg.version, private: true, type: 'commonjs', engines: pkg.engines }, null, 2)}\n`,
);
writeFileSync(
  path.join(out, 'README.txt'),
  [
    `LGG Lab ${pkg.version}: the command-line lab and its engine, for any machine with Node.js 20+.`,
    '',
    '  node lgg-lab.js info --backend webgpu         the GPU adapter and the backends that load',
    '  node lgg-lab.js gpu-check                     adapters, parity suite, benchmark',
    '  node lgg-lab.js run spec.json --data-dir D    train (see lgg-lab help run)',
    '  node lgg-lab.js run-task <run-folder>         one run of a cluster job, if this version has it',
    '',
    `Dawn (WebGPU) binaries included: ${DAWN_TARGETS.join(', ')}. MNIST is not bundled: lgg-lab import <folder>.`,
    '',
  ].join('\n'),
);

function size(p) {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((n, f) => n + size(path.join(p, f)), 0) : s.size;
}
process.stdout.write(`bundle: ${out} (${(size(out) / 2 ** 20).toFixed(1)} MB)\n`);
