/** Where a command's lines go. */
export interface CliOutput {
  /** Writes a line to stdout (dropped once stdout is closed). */
  out: (line: string) => void;
  /** Writes a line to stderr (dropped once stderr is closed). */
  err: (line: string) => void;
  /** True once the reader of stdout went away (`lgg-lab list | head -1`). */
  readonly stdoutClosed: boolean;
}

/**
 * stdout and stderr that survive their reader going away. Without an `error` listener, the EPIPE
 * of a write after `head -1` exited is an uncaught exception: the process dies mid-command, and an
 * import leaves its staging folder behind. Here the stream is marked closed, later lines are
 * dropped, and `onStdoutClosed` lets the command stop cleanly, as Ctrl-C does. The listeners
 * stay for the life of the process.
 */
export function pipeSafeOutput(onStdoutClosed: () => void): CliOutput {
  let stdoutClosed = false;
  let stderrClosed = false;
  const onStdoutError = (): void => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    onStdoutClosed();
  };
  const onStderrError = (): void => {
    stderrClosed = true;
  };
  process.stdout.on('error', onStdoutError);
  process.stderr.on('error', onStderrError);
  return {
    out: (s) => {
      if (!stdoutClosed) process.stdout.write(`${s}\n`);
    },
    err: (s) => {
      if (!stderrClosed) process.stderr.write(`${s}\n`);
    },
    get stdoutClosed() {
      return stdoutClosed;
    },
  };
}
