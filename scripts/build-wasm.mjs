#!/usr/bin/env node
// Compiles the lab's WebAssembly kernels (wasm/kernels.ts, AssemblyScript, SIMD) to
// dist/electron/engine/kernels/lab-kernels.wasm, offline (the compiler is an npm dev dependency),
// then checks the module is safe to instantiate on the TF.js wasm heap it imports: no data
// segment (it would overwrite TF.js memory at load) and no import but that memory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'electron', 'engine', 'kernels', 'lab-kernels.wasm');
mkdirSync(dirname(out), { recursive: true });
const asc = join(
  dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')),
  'bin',
  'asc.js',
);
execFileSync(
  process.execPath,
  [
    asc,
    join(root, 'wasm', 'kernels.ts'),
    '-O3',
    '--runtime',
    'stub',
    '--importMemory',
    '--noAssert',
    '--use',
    'abort=',
    '--enable',
    'simd',
    '-o',
    out,
  ],
  { stdio: 'inherit' },
);

const bytes = readFileSync(out);
const module = new WebAssembly.Module(bytes);
const imports = WebAssembly.Module.imports(module);
if (imports.length !== 1 || imports[0].module !== 'env' || imports[0].kind !== 'memory') {
  throw new Error(`lab-kernels.wasm must import only env.memory, imports ${JSON.stringify(imports)}`);
}
// Walk the sections: id 11 is data.
let at = 8;
while (at < bytes.length) {
  const id = bytes[at++];
  let size = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++];
    size |= (b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  if (id === 11) throw new Error('lab-kernels.wasm has a data segment: it would overwrite the TF.js heap');
  at += size;
}
