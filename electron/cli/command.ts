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

/** Value type of an option: text, a finite number (checked when parsed) or a flag without value. */
export type OptionType = 'string' | 'number' | 'boolean';

/**
 * The declaration of one `--option`. Every option a command reads is declared: the parser refuses
 * anything else (with a "did you mean"), `lgg-lab help <command>` lists the declarations, and the
 * command's `args.options` is typed from them, so reading an undeclared option does not compile.
 */
export interface OptionSpec {
  /** How the value is parsed; `boolean` options take no value. */
  type: OptionType;
  /** May be given several times; the values are collected in order (else giving it twice is an error). */
  multiple?: boolean;
  /** Placeholder of the value in the help (`N`, `DIR`, `auto|wasm|cpu`); default from the type. */
  value?: string;
  /** One line of help. */
  help: string;
}

/** A command's option declarations by long name (without the dashes). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type Scalar<T extends OptionType> = T extends 'boolean' ? boolean : T extends 'number' ? number : string;

/** Parsed option values typed from their declarations; an option not given is absent. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]?: O[K] extends { multiple: true } ? Scalar<O[K]['type']>[] : Scalar<O[K]['type']>;
};

/** Parsed arguments: positionals plus the declared options that were given. */
export interface ParsedArgs<O extends OptionSpecs = OptionSpecs> {
  /** Positional arguments after the command name. */
  positionals: string[];
  /** Options by long name without dashes. */
  options: OptionValues<O>;
}

/** A sub-command of `lgg-lab`. */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** Name typed after `lgg-lab` (e.g. `run`, `datasets`). */
  name: string;
  /** One line for `lgg-lab help`. */
  summary: string;
  /** Synopsis lines and notes shown by `lgg-lab help <name>`, above the generated list of options. */
  usage: string;
  /** Every option the command reads (the global `--data-dir` and `--help` are added by the CLI). */
  options: O;
  /** Most positional arguments accepted (`Infinity` for lists); more is a usage error. */
  maxPositionals: number;
  /** Runs the command; resolves to the process exit code. */
  run(args: ParsedArgs<O>, ctx: CliContext): Promise<number>;
}

/**
 * Declares a command, keeping the literal types of its option declarations so `run` sees
 * `args.options` typed (`--port` a number, `--set` a string[]…) and nothing undeclared.
 */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

/** Thrown for bad command-line usage; the CLI prints the message and the command's usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Checks a string option against a list of values, naming the option. */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}
