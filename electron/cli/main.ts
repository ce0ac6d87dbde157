import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabFailure } from '../../shared/result.js';
import { resolveDataDir } from '../host/paths.js';
import { parseArgs } from './args.js';
import { optFlag, optString, UsageError, type CliContext, type Command } from './command.js';
import { analyzeCommand } from './commands/analyze.js';
import { benchCommand } from './commands/bench.js';
import { datasetsCommand } from './commands/datasets.js';
import { evalCommand } from './commands/eval.js';
import { setLabVersion } from './commands/host-context.js';
import { importCommand } from './commands/import.js';
import { infoCommand, listCommand, presetsCommand, showCommand } from './commands/inspect.js';
import { resumeCommand, runCommand } from './commands/run.js';
import { runTaskCommand } from './commands/run-task.js';
import { serveCommand } from './commands/serve.js';
import { stopCommand } from './commands/stop.js';
import { studyCommand } from './commands/study.js';
import { table } from './format.js';

const COMMANDS: Command[] = [
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
];

function version(): string {
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'package.json');
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function help(out: (s: string) => void): void {
  out('lgg-lab: the Latent Geometry Graph laboratory, from the terminal\n');
  out('usage: lgg-lab <command> [arguments] [--data-dir <folder>]\n');
  out(
    table(
      ['command', 'what it does'],
      COMMANDS.map((c) => [c.name, c.summary]),
    ),
  );
  out('\nlgg-lab help <command> shows a command’s options.');
  out('Data folder: --data-dir, else $LGG_LAB_HOME, else the desktop app’s user-data folder.');
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  setLabVersion(version());
  const [name, ...rest] = argv;
  const args = parseArgs(rest);
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  const err = (s: string): void => void process.stderr.write(`${s}\n`);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const target = COMMANDS.find((c) => c.name === rest[0]);
    if (target) out(target.usage);
    else help(out);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    out(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`unknown command "${name}"\n`);
    help(err);
    return 2;
  }
  if (optFlag(args, 'help')) {
    out(command.usage);
    return 0;
  }
  const controller = new AbortController();
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
    dataDir: resolveDataDir(optString(args, 'data-dir')),
    out,
    err,
    signal: controller.signal,
    tty: process.stdout.isTTY,
  };
  try {
    return await command.run(args, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n\n${command.usage}`);
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
