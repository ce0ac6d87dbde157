import { SLURM_DONE_PHASES, slurmStateLabel } from '../../shared/executor.js';
import type { MetricsRecord, RunProgress, RunStatus } from '../../shared/run-types.js';
import { TERMINAL_STATES } from '../../shared/run-types.js';
import type { LabHost } from '../host/lab-host.js';
import type { CliContext } from './command.js';
import { formatDuration, pct } from './format.js';
import { progressLine } from './run-watch.js';

/** `Slurm RUNNING on vm`, `Slurm PENDING (Priority)`, … */
export const slurmLabel = slurmStateLabel;

/** True once a cluster run will change no more without a resume: final status, and Slurm holds no attempt. */
export function clusterRunSettled(s: RunStatus): boolean {
  if (!TERMINAL_STATES.includes(s.state)) return false;
  const phase = s.slurm?.phase;
  return (
    phase === undefined ||
    phase === 'unknown' ||
    phase === 'not-submitted' ||
    SLURM_DONE_PHASES.includes(phase)
  );
}

/**
 * Follows cluster runs from the lab's side: a line whenever a run's state or its Slurm state
 * changes, epoch lines as tasks append them, a progress line on a terminal. Resolves with the final
 * statuses once every run settled, or on Ctrl-C (the tasks go on running on the cluster).
 */
export async function watchClusterRuns(
  host: LabHost,
  ids: string[],
  ctx: CliContext,
): Promise<{ statuses: RunStatus[]; detached: boolean }> {
  const last = new Map<string, RunStatus>();
  const said = new Map<string, string>();
  const tag = (id: string): string => (ids.length > 1 ? `[${ids.indexOf(id) + 1}/${ids.length}] ` : '');
  let drawn = false;
  const say = (line: string): void => {
    if (ctx.tty && drawn) process.stdout.write('\r\x1b[2K');
    drawn = false;
    ctx.out(line);
  };
  host.follow();
  return new Promise((resolve) => {
    let done = false;
    const finish = (detached: boolean): void => {
      if (done) return;
      done = true;
      unsubscribe();
      ctx.signal.removeEventListener('abort', onAbort);
      clearInterval(timer);
      if (ctx.tty && drawn) process.stdout.write('\n');
      resolve({ statuses: ids.map((id) => last.get(id)).filter((s): s is RunStatus => !!s), detached });
    };
    const note = (s: RunStatus): void => {
      last.set(s.id, s);
      const line = `${s.state}${s.slurm ? ` · ${slurmLabel(s.slurm)}` : ''}`;
      if (said.get(s.id) !== line) {
        said.set(s.id, line);
        say(
          `${tag(s.id)}${s.id}: ${line}${s.error && TERMINAL_STATES.includes(s.state) ? `\n  ${s.error.message}` : ''}`,
        );
      }
      if (
        ids.every((id) => {
          const x = last.get(id);
          return x !== undefined && clusterRunSettled(x);
        })
      )
        finish(false);
    };
    const unsubscribe = host.subscribe((channel, payload) => {
      if (channel === 'lab:runs.onStatus') {
        // A flush carries statuses before metrics: a final status waits for the epoch lines beside it.
        for (const s of payload as RunStatus[])
          if (ids.includes(s.id)) {
            if (TERMINAL_STATES.includes(s.state)) setImmediate(() => note(s));
            else note(s);
          }
      } else if (channel === 'lab:runs.onMetrics') {
        for (const { id, records } of payload as { id: string; records: MetricsRecord[] }[]) {
          if (!ids.includes(id)) continue;
          for (const r of records)
            if (r.type === 'epoch')
              say(
                `${tag(id)}epoch ${r.epoch}: train loss ${r.train.loss.toFixed(4)} acc ${pct(r.train.acc)} · test acc ${pct(r.test.acc)} · ${formatDuration(r.seconds)}`,
              );
        }
      } else if (channel === 'lab:runs.onProgress' && ctx.tty) {
        const p = (payload as RunProgress[]).filter((x) => ids.includes(x.runId)).pop();
        if (p) {
          process.stdout.write(`\r\x1b[2K${tag(p.runId)}${progressLine(p)}`);
          drawn = true;
        }
      }
    });
    const onAbort = (): void => {
      say(
        '\nStopped following: the runs go on on the cluster. Follow them with `lgg-lab list` or `lgg-lab serve`;',
      );
      say('cancel them with `lgg-lab stop <run>`.');
      finish(true);
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    // The first view, and Slurm's answer for it; later changes arrive as events.
    const refresh = async (): Promise<void> => {
      if (done) return;
      const statuses = await Promise.all(ids.map((id) => host.runs.status(id)));
      for (const s of await host.slurm.decorate(statuses)) note(s);
    };
    void refresh().catch(() => undefined);
    // A run that settled while nothing changed on disk (its Slurm task vanished) is noticed too;
    // this timer also keeps the process alive while it follows (the follower's own timers do not).
    const timer = setInterval(() => void refresh().catch(() => undefined), 30_000);
  });
}
