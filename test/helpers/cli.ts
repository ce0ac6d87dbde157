import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliContext } from '../../electron/cli/command.js';

/** The built `lgg-lab` entry (tests run after `npm run build`). */
export const LGG_LAB_BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'bin',
  'lgg-lab.js',
);

/** Runs `lgg-lab` with arguments; resolves with exit code and output (never rejects on a non-zero exit). */
export function lggLab(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LGG_LAB_BIN, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 32 << 20 },
      (e, stdout, stderr) => {
        const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A CLI context that collects what a command prints (`lines` from stdout, `errors` from stderr). */
export function collectingCli(dataDir: string): CliContext & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    dataDir,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    signal: new AbortController().signal,
    tty: false,
    lines,
    errors,
  };
}
