import { describe, expect, it } from 'vitest';
import { commandHelp, GLOBAL_OPTIONS, parseCommandLine } from '../../electron/cli/args.js';
import { defineCommand, UsageError } from '../../electron/cli/command.js';
import { listCommand } from '../../electron/cli/commands/inspect.js';
import { COMMANDS } from '../../electron/cli/main.js';
import { closest, editDistance } from '../../shared/suggest.js';
import { lggLab } from '../helpers/cli.js';
import { useRunStore } from '../helpers/runs.js';

const demo = defineCommand({
  name: 'demo',
  summary: 'a command with one option of each kind',
  usage: 'lgg-lab demo [options]',
  options: {
    port: { type: 'number', help: 'a number' },
    name: { type: 'string', help: 'a string' },
    set: { type: 'string', multiple: true, help: 'a list' },
    'dry-run': { type: 'boolean', help: 'a flag' },
  },
  maxPositionals: 1,
  run: () => Promise.resolve(0),
});

const parse = (...argv: string[]): ReturnType<typeof parseCommandLine<typeof demo.options>> =>
  parseCommandLine(demo.options, argv, demo.maxPositionals);

describe('command-line options', () => {
  it('parses declared options into typed values', () => {
    const a = parse('x', '--port', '8080', '--name=lab', '--set', 'a=1', '--set', 'b=2', '--dry-run');
    expect(a).toEqual({
      positionals: ['x'],
      options: { port: 8080, name: 'lab', set: ['a=1', 'b=2'], 'dry-run': true },
    });
    expect(parse('-h').options.help).toBe(true);
    expect(parse('--', '--port').positionals).toEqual(['--port']);
    // A negative number is a value, not an option.
    expect(parse('--port', '-1').options.port).toBe(-1);
    expect(parse('--data-dir', '/tmp/x').options['data-dir']).toBe('/tmp/x');
    // Reading an option the command does not declare does not compile.
    // @ts-expect-error: `bogus` is not declared by demo
    expect(parse().options.bogus).toBeUndefined();
  });

  it('refuses what it does not understand, naming the argument and the closest option', () => {
    const fails = (argv: string[], message: RegExp): void => {
      expect(() => parse(...argv)).toThrow(UsageError);
      expect(() => parse(...argv)).toThrow(message);
    };
    fails(['--bogus-flag', '1'], /^unknown option --bogus-flag$/);
    fails(['--prot', '1'], /unknown option --prot \(did you mean --port\?\)/);
    fails(['--dry', '1'], /did you mean --dry-run\?/);
    fails(['--data-dri', 'x'], /did you mean --data-dir\?/);
    fails(['-x'], /unknown option -x/);
    fails(['--port'], /--port needs a value$/);
    fails(
      ['--name', '--dry-run'],
      /--name needs a value \(got the option "--dry-run"; write --name=--dry-run/,
    );
    fails(['--port', 'eight'], /--port expects a number, got "eight"/);
    fails(['--port='], /--port expects a number, got ""/);
    fails(['--dry-run=yes'], /--dry-run is a flag and takes no value/);
    fails(['--name', 'a', '--name', 'b'], /--name was given twice \("a", then "b"\)/);
    fails(['a', 'b'], /unexpected argument "b" \(at most 1/);
    expect(() => parseCommandLine(listCommand.options, ['extra'], listCommand.maxPositionals)).toThrow(
      /unexpected argument "extra" \(this command takes options only\)/,
    );
  });

  it('every command declares its options completely: kebab-case names, a help line, no clash with the global ones', () => {
    for (const command of COMMANDS) {
      const help = commandHelp(command);
      for (const [name, spec] of Object.entries(command.options)) {
        expect(name, command.name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
        expect(spec.help.length, `${command.name} --${name}`).toBeGreaterThan(3);
        expect(Object.keys(GLOBAL_OPTIONS), `${command.name} --${name}`).not.toContain(name);
        expect(help, command.name).toContain(`--${name}`);
      }
      expect(command.summary.length).toBeGreaterThan(10);
      expect(Number.isInteger(command.maxPositionals) || command.maxPositionals === Infinity).toBe(true);
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('lists every declared option in the command help', () => {
    const help = commandHelp(demo);
    for (const name of [...Object.keys(demo.options), 'data-dir', 'help'])
      expect(help).toContain(`--${name}`);
    expect(help).toMatch(/--set VALUE +a list \(repeatable\)/);
    expect(help).toMatch(/--port N +a number/);
  });

  it('suggests by edit distance, with transpositions and prefixes', () => {
    expect(editDistance('trainig', 'training')).toBe(1);
    expect(editDistance('jsno', 'json')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('trainig', ['training', 'model', 'probe'])).toBe('training');
    expect(closest('xyz', ['training', 'model'])).toBeUndefined();
    expect(closest('ep', ['epochs'])).toBeUndefined();
    expect(closest('epo', ['epochs'])).toBe('epochs');
  });
});

describe('the lgg-lab command refuses unknown flags (defect 6)', () => {
  const lab = useRunStore();
  const dir = (): string => lab.dir;

  it('list --bogus-flag 1 is a usage error, not a success', async () => {
    const r = await lggLab(['list', '--bogus-flag', '1', '--data-dir', dir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^unknown option --bogus-flag\n/);
    expect(r.stderr).toContain('lgg-lab list [--json]');
    expect(r.stdout).toBe('');
  });

  it('a misspelt flag gets a suggestion; a misspelt command too', async () => {
    const r = await lggLab(['list', '--jsn', '--data-dir', dir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --jsn \(did you mean --json\?\)/);
    const c = await lggLab(['lsit', '--data-dir', dir()]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/unknown command "lsit" \(did you mean "list"\?\)/);
  });

  it('a study with a flag it does not know is refused before anything runs', async () => {
    const r = await lggLab([
      'study',
      '--preset',
      'mnist-cnn-quick',
      // Since the Slurm executor exists, the issue's --executor is a real option: a misspelling is not.
      '--executer',
      'slurm',
      '--data-dir',
      dir(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^unknown option --executer \(did you mean --executor\?\)/);
    expect(r.stdout).toBe('');
  });

  it('help lists a command’s declared options', async () => {
    const r = await lggLab(['help', 'import']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--label-column C +CSV label column/);
    expect(r.stdout).toMatch(/--data-dir DIR/);
  });
});
