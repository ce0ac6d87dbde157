/** What every `lgg-lab` sub-command receives. */
export interface CliContext {
  /** The lab's data folder (`--data-dir`, else `$LGG_LAB_HOME`, else the app's user-data folder). */
  dataDir: string;
  /** Writes a line to stdout. */
  out: (line: string) => void;
  /** Writes a line to stderr. */
  err: (line: string) => void;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM; long commands stop cooperatively. */
  signal: AbortSignal;
  /** True when stdout is a terminal (progress bars redraw in place). */
  tty: boolean;
}

/** Parsed arguments: positionals plus `--flag value` / `--flag` options (repeatable ones as arrays). */
export interface ParsedArgs {
  /** Positional arguments after the command name. */
  positionals: string[];
  /** Options by long name without dashes; a bare flag is `true`, a repeated one an array. */
  options: Record<string, string | boolean | string[]>;
}

/** A sub-command of `lgg-lab`. */
export interface Command {
  /** Name typed after `lgg-lab` (e.g. `run`, `datasets`). */
  name: string;
  /** One line for `lgg-lab help`. */
  summary: string;
  /** Usage text shown by `lgg-lab help <name>` and on argument errors. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/** Thrown for bad command-line usage; the CLI prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A string option, or undefined; a repeated option yields its last value. */
export function optString(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** A boolean flag (present, or `--flag true|false`). */
export function optFlag(args: ParsedArgs, name: string): boolean {
  const v = args.options[name];
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return s !== 'false' && s !== '0';
}

/** A numeric option, validated. */
export function optNumber(args: ParsedArgs, name: string): number | undefined {
  const s = optString(args, name);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got "${s}"`);
  return n;
}

/** All values of a repeatable option. */
export function optList(args: ParsedArgs, name: string): string[] {
  const v = args.options[name];
  if (v === undefined || typeof v === 'boolean') return [];
  return Array.isArray(v) ? v : [v];
}
