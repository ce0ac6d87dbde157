import { parseArgs as nodeParseArgs } from 'node:util';
import { didYouMean } from '../../shared/suggest.js';
import { UsageError, type Command, type OptionSpecs, type ParsedArgs } from './command.js';

/** Options every command accepts; the CLI handles them before the command runs. */
export const GLOBAL_OPTIONS = {
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'the lab’s data folder (default: $LGG_LAB_HOME, else the desktop app’s user-data folder)',
  },
  help: { type: 'boolean', help: 'show this help (also -h)' },
} as const satisfies OptionSpecs;

/** A value that is another option rather than this one's value (negative numbers are values). */
const looksLikeOption = (v: string): boolean => v.startsWith('-') && v.length > 1 && !/^-\d/.test(v);

/**
 * Parses a command's arguments against its declared options with `node:util` `parseArgs`: `--name
 * value`, `--name=value`, bare booleans, `-h`, `--` ending options. Everything else is a
 * {@link UsageError} naming the argument: an undeclared option (with the closest declared one), a
 * missing or misplaced value, a number that is not one, a single-valued option given twice, more
 * positionals than the command takes.
 */
export function parseCommandLine<O extends OptionSpecs>(
  options: O,
  argv: readonly string[],
  maxPositionals = Number.POSITIVE_INFINITY,
): ParsedArgs<O & typeof GLOBAL_OPTIONS> {
  const specs: OptionSpecs = { ...options, ...GLOBAL_OPTIONS };
  // Non-strict with tokens: node's own strict errors name no alternatives, so the checks are ours.
  const { tokens } = nodeParseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(specs).map(([name, s]) => [
        name,
        { type: s.type === 'boolean' ? 'boolean' : 'string', ...(name === 'help' ? { short: 'h' } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const spec = Object.hasOwn(specs, t.name) ? specs[t.name] : undefined;
    if (!spec) {
      const hint = didYouMean(t.name, Object.keys(specs), (c) => `--${c}`);
      throw new UsageError(`unknown option ${t.rawName}${hint}`);
    }
    const shown = `--${t.name}`;
    let value: unknown = true;
    if (spec.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`${shown} is a flag and takes no value (got "${t.value}")`);
    } else {
      const raw = t.value;
      if (raw === undefined || (!t.inlineValue && looksLikeOption(raw))) {
        throw new UsageError(
          `${shown} needs a value${raw === undefined ? '' : ` (got the option "${raw}"; write ${shown}=${raw} if that is the value)`}`,
        );
      }
      value = raw;
      if (spec.type === 'number') {
        const n = raw.trim() === '' ? Number.NaN : Number(raw);
        if (!Number.isFinite(n)) throw new UsageError(`${shown} expects a number, got "${raw}"`);
        value = n;
      }
    }
    if (spec.multiple) values[t.name] = [...((values[t.name] as unknown[] | undefined) ?? []), value];
    else if (t.name in values && spec.type !== 'boolean')
      throw new UsageError(`${shown} was given twice ("${String(values[t.name])}", then "${String(value)}")`);
    else values[t.name] = value;
  }
  if (positionals.length > maxPositionals) {
    const extra = positionals[maxPositionals] ?? '';
    throw new UsageError(
      maxPositionals === 0
        ? `unexpected argument "${extra}" (this command takes options only)`
        : `unexpected argument "${extra}" (at most ${maxPositionals}; quote paths with spaces)`,
    );
  }
  return { positionals, options: values as ParsedArgs<O & typeof GLOBAL_OPTIONS>['options'] };
}

function optionLines(options: OptionSpecs): string[] {
  const rows = Object.entries(options).map(([name, s]) => {
    const value = s.type === 'boolean' ? '' : ` ${s.value ?? (s.type === 'number' ? 'N' : 'VALUE')}`;
    return [`--${name}${value}`, `${s.help}${s.multiple ? ' (repeatable)' : ''}`] as const;
  });
  const width = Math.min(34, Math.max(...rows.map(([flag]) => flag.length)));
  return rows.map(([flag, help]) =>
    flag.length > width ? `  ${flag}\n  ${' '.repeat(width)}  ${help}` : `  ${flag.padEnd(width)}  ${help}`,
  );
}

/** `lgg-lab help <command>`: the command's usage, then every declared option with its help. */
export function commandHelp(command: Command): string {
  const own =
    Object.keys(command.options).length > 0 ? ['', 'options:', ...optionLines(command.options)] : [];
  return [command.usage, ...own, '', 'global options:', ...optionLines(GLOBAL_OPTIONS)].join('\n');
}
