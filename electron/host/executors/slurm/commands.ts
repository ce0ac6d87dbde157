import { execFile } from 'node:child_process';
import { LabFailure } from '../../../../shared/result.js';

/** The Slurm client commands the lab calls. */
export type SlurmCommand = 'sbatch' | 'squeue' | 'sacct' | 'scancel' | 'scontrol' | 'sinfo';

/** Options of {@link slurm}. */
export interface SlurmCallOptions {
  /** Give up after this long (default 30 s: slurmctld under load answers slowly, but it answers). */
  timeoutMs?: number;
}

/**
 * Runs a Slurm client command and resolves with its stdout. Each way it can fail has its own error
 * code, so callers (and the UI) can say what to do: `slurm-missing` (not on PATH: the lab is not on
 * a machine of the cluster), `slurm-timeout`, and `slurm-failed` with Slurm's own message.
 */
export function slurm(cmd: SlurmCommand, args: readonly string[], o: SlurmCallOptions = {}): Promise<string> {
  const timeout = o.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout, maxBuffer: 16 << 20, encoding: 'utf8' }, (e, stdout, stderr) => {
      if (!e) {
        resolve(stdout);
        return;
      }
      const code: unknown = e.code;
      if (code === 'ENOENT') {
        reject(
          new LabFailure(
            'slurm-missing',
            `${cmd} was not found on this machine's PATH. Submitting to Slurm needs the lab on a machine ` +
              `with the Slurm client commands (a login node of the cluster), or run the study on this machine.`,
          ),
        );
        return;
      }
      if (e.killed) {
        reject(
          new LabFailure('slurm-timeout', `${cmd} did not answer within ${Math.round(timeout / 1000)} s`),
        );
        return;
      }
      const said = (stderr || stdout).trim().split('\n').slice(-6).join('\n');
      reject(
        new LabFailure(
          'slurm-failed',
          `${cmd} ${args.join(' ')} failed (exit ${typeof code === 'number' ? code : '?'})${said ? `: ${said}` : ''}`,
        ),
      );
    });
  });
}
