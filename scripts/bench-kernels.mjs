#!/usr/bin/env node
// Measures the lab's wasm training kernels: reference-CNN training step (batch 64 and 256), a per-kernel
// profile of one step, and the LGG Gram pattern.
//
//   node scripts/bench-kernels.mjs            lab kernels registered
//   node scripts/bench-kernels.mjs --stock    stock wasm kernels, plus only the missing
//                                             Conv2DBackpropFilter (the "before" configuration)
//   node scripts/bench-kernels.mjs --no-gram  skip the Gram table
//
// tfjs-core's gradients exist only as extension-less ESM files that Node cannot load, so this script
// bundles the bench (and tfjs-core with them) with esbuild first; the backends stay external.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'node_modules', '.cache', 'lgg-kernel-bench');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'bench.mjs');

const entry = `
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerKernel } from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from './electron/engine/kernels/index.ts';
import { conv2DBackpropFilterConfig } from './electron/engine/kernels/conv2d-backprop-filter.ts';
import { profileTrainStep, timeGram, timeTrainStep } from './electron/engine/kernels/bench-step.ts';
export { tf, registerKernel, registerWasmTrainingKernels, conv2DBackpropFilterConfig, profileTrainStep, timeGram, timeTrainStep };
`;

await build({
  stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'bench-entry.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  external: ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'],
  // tfjs-core's platform code calls require('util') etc., which an ESM bundle must be given.
  banner: {
    js: "import { createRequire as __lggCreateRequire } from 'node:module'; const require = __lggCreateRequire(import.meta.url);",
  },
  outfile,
  logLevel: 'warning',
});

const m = await import(pathToFileURL(outfile).href);
const args = new Set(process.argv.slice(2));
const stock = args.has('--stock');
const steps = Number([...args].find((a) => a.startsWith('--steps='))?.slice(8) ?? 20);

if (stock) m.registerKernel(m.conv2DBackpropFilterConfig);
else console.log('registered:', m.registerWasmTrainingKernels().join(', '));
await m.tf.setBackend('wasm');
console.log(
  `backend ${m.tf.getBackend()}, SIMD ${m.tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, node ${process.version}`,
);
console.log(stock ? 'configuration: stock wasm + lab Conv2DBackpropFilter' : 'configuration: lab kernels');

for (const batch of [64, 256]) {
  const t = m.timeTrainStep(batch, steps, 3);
  console.log(
    `batch ${batch}: median ${t.medianMs.toFixed(1)} ms/step, ${t.samplesPerSec.toFixed(0)} samples/s`,
  );
}
for (const batch of [64, 256]) {
  const rows = await m.profileTrainStep(batch);
  const total = rows.reduce((s, r) => s + r[1], 0);
  console.log(`profile batch ${batch} (kernel time ${total.toFixed(1)} ms):`);
  for (const [name, ms, count] of rows.slice(0, 10)) {
    console.log(`  ${name.padEnd(22)} ${ms.toFixed(2).padStart(8)} ms  ×${count}`);
  }
}
if (!args.has('--no-gram')) {
  console.log('LGG gram (normalise rows, X̂X̂ᵀ): median ms, matMul(transposeB) | normalizedGram()');
  for (const b of [64, 256, 1024]) {
    for (const d of [128, 3136, 12544]) {
      const g = m.timeGram(b, d, b * d > 4e6 ? 3 : 5);
      console.log(
        `  B=${String(b).padEnd(5)} D=${String(d).padEnd(6)} ${g.transposeB.toFixed(2).padStart(9)} | ${g.explicit.toFixed(2).padStart(9)}`,
      );
    }
  }
}
