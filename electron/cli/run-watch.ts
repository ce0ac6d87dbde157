import type { MetricsRecord, RunProgress, RunStatus } from '../../shared/run-types.js';
import { TERMINAL_STATES } from '../../shared/run-types.js';
import type { LabHost } from '../host/lab-host.js';
import type { CliContext } from './command.js';
import { formatNumber } from '../../shared/format.js';
import { formatMetric, metricDef } from '../../shared/metrics.js';
import { progressFraction, progressParts } from '../../shared/progress.js';
import { formatDuration, pct } from './format.js';

function bar(fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

/** One status line of a running run: the bar, then what the app's header says (phase-aware). */
export function progressLine(p: RunProgress, lastLoss?: number): string {
  const done = progressFraction(p);
  const parts = [`${bar(done)} ${(100 * done).toFixed(0).padStart(3)} %`, ...progressParts(p)];
  if (lastLoss !== undefined && p.phase === 'training') parts.push(`loss ${formatNumber(lastLoss)}`);
  return parts.join(' · ');
}

/**
 * Follows runs until each reaches a terminal state, drawing a progress line (redrawn in place on a
 * terminal, one line per epoch otherwise). Ctrl-C closes the host: running runs checkpoint and end
 * `interrupted`, ready for `lgg-lab resume`. Resolves with the final statuses.
 */
export async function watchRuns(host: LabHost, ids: string[], ctx: CliContext): Promise<RunStatus[]> {
  const final = new Map<string, RunStatus>();
  let lastLine = '';
  let lastLoss: number | undefined;
  const draw = (line: string): void => {
    if (ctx.tty) process.stdout.write(`\r\x1b[2K${line}`);
    lastLine = line;
  };
  const say = (line: string): void => {
    if (ctx.tty && lastLine) process.stdout.write('\r\x1b[2K');
    ctx.out(line);
    if (ctx.tty && lastLine) process.stdout.write(lastLine);
  };
  return new Promise((resolve) => {
    const check = async (): Promise<void> => {
      for (const id of ids) {
        if (final.has(id)) continue;
        const s = await host.runs.status(id).catch(() => undefined);
        if (s && TERMINAL_STATES.includes(s.state) && !host.queue.has(id)) final.set(id, s);
      }
      if (final.size === ids.length) {
        unsubscribe();
        if (ctx.tty && lastLine) process.stdout.write('\n');
        resolve(ids.map((id) => final.get(id) as RunStatus));
      }
    };
    const unsubscribe = host.subscribe((channel, payload) => {
      if (channel === 'lab:runs.onProgress') {
        const mine = (payload as RunProgress[]).filter((p) => ids.includes(p.runId));
        const p = mine[mine.length - 1];
        if (p)
          draw(
            `${ids.length > 1 ? `[${ids.indexOf(p.runId) + 1}/${ids.length}] ` : ''}${progressLine(p, lastLoss)}`,
          );
      } else if (channel === 'lab:runs.onMetrics') {
        for (const { id, records } of payload as { id: string; records: MetricsRecord[] }[]) {
          if (!ids.includes(id)) continue;
          for (const r of records) {
            if (r.type === 'step') lastLoss = r.loss;
            else {
              const extra = Object.entries(r.test)
                .filter(([k]) => k !== 'loss' && k !== 'acc')
                .map(([k, v]) => `${metricDef(k).short} ${formatMetric(k, v)}`)
                .join(' · ');
              say(
                `epoch ${r.epoch}: train loss ${r.train.loss.toFixed(4)} acc ${pct(r.train.acc)} · test loss ${r.test.loss.toFixed(4)} acc ${pct(r.test.acc)}` +
                  `${extra ? ` · ${extra}` : ''} · ${Math.round(r.samplesPerSec)} img/s · ${formatDuration(r.seconds)}`,
              );
            }
          }
        }
      } else if (channel === 'lab:runs.onStatus') {
        for (const s of payload as RunStatus[]) {
          if (!ids.includes(s.id)) continue;
          if (s.state === 'running' && s.backend) draw(`run ${s.id} running on ${s.backend}…`);
          if (TERMINAL_STATES.includes(s.state)) void check();
        }
      }
    });
    const onAbort = (): void => {
      say('\nInterrupted: checkpointing the running runs (Ctrl-C again to kill)…');
      void host.close().then(check);
    };
    // A Ctrl-C while the run was being set up (a first-use dataset import) counts too.
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    void check();
  });
}
