import { LabFailure } from '../../shared/result.js';
import { labVersion } from '../common/lab-version.js';
import { resolveDataDir } from '../host/paths.js';
import { didYouMean } from '../../shared/suggest.js';
import { commandHelp, parseCommandLine } from './args.js';
import { UsageError, type CliContext, type Command, type ParsedArgs } from './command.js';
import { analyzeCommand } from './commands/analyze.js';
import { benchCommand } from './commands/bench.js';
import { datasetsCommand } from './commands/datasets.js';
import { evalCommand } from './commands/eval.js';
import { gpuCheckCommand } from './commands/gpu-check.js';
import { setLabVersion } from './commands/host-context.js';
import { importCommand } from './commands/import.js';
import { infoCommand, listCommand, presetsCommand, showCommand } from './commands/inspect.js';
import { resumeCommand, runCommand } from './commands/run.js';
import { runTaskCommand } from './commands/run-task.js';
import { serveCommand } from './commands/serve.js';
import { stopCommand } from './commands/stop.js';
import { studyCommand } from './commands/study.js';
import { table } from './format.js';
import { pipeSafeOutput } from './output.js';

/** Every sub-command, in the order `lgg-lab help` lists them. */
export const COMMANDS: Command[] = [
  runCommand,
  resumeCommand,
  stopCommand,
  studyCommand,
  evalCommand,
  presetsCommand,
  listCommand,
  showCommand,
  analyzeCommand,
  importCommand,
  datasetsCommand,
  serveCommand,
  infoCommand,
  benchCommand,
  runTaskCommand,
  gpuCheckCommand,
];

const version = labVersion;

function help(out: (s: string) => void): void {
  out('lgg-lab: the Latent Geometry Graph laboratory, from the terminal\n');
  out('usage: lgg-lab <command> [arguments] [--data-dir <folder>]\n');
  out(
    table(
      ['command', 'what it does'],
      COMMANDS.map((c) => [c.name, c.summary]),
    ),
  );
  out('\nlgg-lab help <command> shows a command’s options; every command takes --data-dir <folder>.');
  out('Data folder: --data-dir, else $LGG_LAB_HOME, else the desktop app’s user-data folder.');
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  setLabVersion(version());
  const [name, ...rest] = argv;
  const controller = new AbortController();
  const output = pipeSafeOutput(() => controller.abort());
  const { out, err } = output;
  const find = (n: string | undefined): Command | undefined => COMMANDS.find((c) => c.name === n);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const target = find(rest[0]);
    if (target) out(commandHelp(target));
    else if (rest[0] !== undefined) {
      err(
        `unknown command "${rest[0]}"${didYouMean(
          rest[0],
          COMMANDS.map((c) => c.name),
        )}\n`,
      );
      help(err);
      return 2;
    } else help(out);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    out(version());
    return 0;
  }
  const command = find(name);
  if (!command) {
    err(
      `unknown command "${name}"${didYouMean(
        name,
        COMMANDS.map((c) => c.name),
      )}\n`,
    );
    help(err);
    return 2;
  }
  let args: ParsedArgs;
  try {
    args = parseCommandLine(command.options, rest, command.maxPositionals);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${commandHelp(command)}`);
    return 2;
  }
  if (args.options.help === true) {
    out(commandHelp(command));
    return 0;
  }
  let interrupts = 0;
  // A second Ctrl-C kills; TERM only ever asks for a checkpoint (Slurm sends it to every process
  // of a task, and the batch script forwards it too: a second TERM must not cut the checkpoint short).
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGINT' && ++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const ctx: CliContext = {
    dataDir: resolveDataDir(args.options['data-dir'] as string | undefined),
    out,
    err,
    signal: controller.signal,
    tty: process.stdout.isTTY,
  };
  try {
    const code = await command.run(args, ctx);
    // Stopped because the reader of its output went away: 141, the shell's code for SIGPIPE.
    return output.stdoutClosed ? 141 : code;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    if (e instanceof LabFailure) {
      err(`error (${e.code}): ${e.message}`);
      return 1;
    }
    err(`error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
