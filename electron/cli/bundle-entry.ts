// Entry of the bundled `lgg-lab` command (scripts/bundle-engine.mjs): the CLI, then exit with its code.
import { main } from './main.js';

void main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
