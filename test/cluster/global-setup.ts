import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function slurmAnswers(): boolean {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 && /idle|mixed|allocated/.test(r.stdout);
}

/**
 * The cluster tests need a Slurm that answers. CI's .ci/run starts the one-node cluster before
 * `npm test`; where it is not up and this process may start it (root, Slurm installed), it is
 * started here and stopped after the run. Elsewhere the cluster tests say why and skip.
 */
export default function setup(): (() => void) | undefined {
  if (slurmAnswers()) return undefined;
  const root = process.getuid?.() === 0;
  const installed = spawnSync('sh', ['-c', 'command -v slurmctld && command -v munged']).status === 0;
  if (!root || !installed) return undefined;
  try {
    execFileSync(path.join(here, 'slurm-up.sh'), { stdio: 'inherit', timeout: 120_000 });
  } catch {
    return undefined;
  }
  return () => {
    execFileSync(path.join(here, 'slurm-down.sh'), { stdio: 'inherit', timeout: 120_000 });
  };
}
