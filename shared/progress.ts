// How far a run is and how long it has taken, read the same way by the dashboard, the runs table
// and the CLI. Progress events only carry step counts while training: other phases (evaluation,
// probes, the final robustness suite) report an epoch and a free-text detail, so what is shown
// follows the phase instead of printing "step 0/0 · 0 img/s · ETA 0 s".
import { formatDuration, formatInt } from './format.js';
import type { MetricsRecord, RunProgress, RunStatus } from './run-types.js';

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** Human name of a phase. */
export const PHASE_LABELS: Record<RunProgress['phase'], string> = {
  starting: 'starting',
  training: 'training',
  evaluating: 'evaluating',
  probing: 'snapshotting the probe batch',
  robustness: 'final evaluation',
  saving: 'saving',
};

/**
 * Fraction of the run done by a progress event: within the epoch while training; the whole epoch
 * once its steps are done (evaluation, probes, checkpoint); all of training during the final
 * evaluation.
 */
export function progressFraction(p: RunProgress): number {
  if (p.totalEpochs <= 0) return 0;
  switch (p.phase) {
    case 'training':
      return clamp01((p.epoch - 1 + (p.stepsPerEpoch > 0 ? p.step / p.stepsPerEpoch : 0)) / p.totalEpochs);
    case 'evaluating':
    case 'probing':
    case 'saving':
      return clamp01(p.epoch / p.totalEpochs);
    case 'robustness':
      return 1;
    case 'starting':
      return clamp01(Math.max(0, p.epoch - 1) / p.totalEpochs);
  }
}

/**
 * Fraction of a run that is not running: 1 when completed, else where its records stop (a run
 * cancelled mid-epoch shows the steps it did, not an empty bar).
 */
export function stoppedFraction(
  status: RunStatus,
  records: readonly MetricsRecord[],
  stepsPerEpoch: number | null,
): number {
  if (status.state === 'completed') return 1;
  if (status.totalEpochs <= 0) return 0;
  let fraction = status.epoch / status.totalEpochs;
  const lastRecord = records[records.length - 1];
  if (lastRecord && stepsPerEpoch && stepsPerEpoch > 0)
    fraction = Math.max(fraction, lastRecord.step / (stepsPerEpoch * status.totalEpochs));
  else if (lastRecord) fraction = Math.max(fraction, (lastRecord.epoch - 1) / status.totalEpochs);
  return clamp01(fraction);
}

/** The parts of a progress line, phase-aware: no step, throughput or ETA where there is none. */
export function progressParts(p: RunProgress): string[] {
  const parts = [PHASE_LABELS[p.phase]];
  if (p.totalEpochs > 0 && p.epoch > 0) parts.push(`epoch ${p.epoch}/${p.totalEpochs}`);
  if (p.phase === 'training') {
    if (p.stepsPerEpoch > 0) parts.push(`step ${formatInt(p.step)}/${formatInt(p.stepsPerEpoch)}`);
    if (p.samplesPerSec > 0) parts.push(`${formatInt(p.samplesPerSec)} img/s`);
  }
  if (p.etaSec > 0 && Number.isFinite(p.etaSec)) parts.push(`ETA ${formatDuration(p.etaSec)}`);
  if (p.detail) parts.push(p.detail);
  return parts;
}

/** One line of progress (`training · epoch 3/20 · step 120/938 · 1,840 img/s · ETA 4 min 02 s`). */
export function progressText(p: RunProgress): string {
  return progressParts(p).join(' · ');
}

/**
 * Wall-clock seconds a run has taken: its latest session (start to end, or to `nowMs` while it
 * runs), or the sum of its epochs when that is longer (a resumed run's earlier sessions). A run
 * stopped before its first epoch record is not "0 s".
 */
export function runDurationSec(status: RunStatus, epochSeconds: number, nowMs: number): number {
  const start = status.startedAt ? Date.parse(status.startedAt) : Number.NaN;
  const live = status.state === 'running';
  const end = live ? nowMs : status.endedAt ? Date.parse(status.endedAt) : Number.NaN;
  const session = Number.isFinite(start) && Number.isFinite(end) && end >= start ? (end - start) / 1000 : 0;
  return Math.max(epochSeconds, session);
}
