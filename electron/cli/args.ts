import type { ParsedArgs } from './command.js';

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set([
  'help',
  'h',
  'quick',
  'json',
  'dry-run',
  'force',
  'no-torch',
  'no-import',
  'detach',
  'version',
  'assume-shared-fs',
]);

/**
 * Parses `--name value`, `--name=value`, bare boolean flags and positionals; `--` ends options.
 * A repeated option collects its values in order.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | boolean | string[]> = {};
  const set = (k: string, v: string | boolean): void => {
    const prev = options[k];
    if (prev === undefined || typeof prev === 'boolean' || typeof v === 'boolean') options[k] = v;
    else options[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      if (eq > 0) {
        set(a.slice(2, eq), a.slice(eq + 1));
        continue;
      }
      const name = a.slice(2);
      const next = argv[i + 1];
      if (BOOLEAN_FLAGS.has(name) || next === undefined || (next.startsWith('--') && next.length > 2))
        set(name, true);
      else {
        set(name, next);
        i++;
      }
    } else if (a === '-h') set('help', true);
    else positionals.push(a);
  }
  return { positionals, options };
}
