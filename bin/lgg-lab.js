#!/usr/bin/env node
// The `lgg-lab` command: runs the built CLI (npm run build creates dist/).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'electron', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('lgg-lab is not built yet: run "npm run build" in the project folder first.\n');
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
process.exit(await main(process.argv.slice(2)));
