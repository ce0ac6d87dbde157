import { describe, expect, it } from 'vitest';
import { progressFraction, progressText, runDurationSec, stoppedFraction } from '../../shared/progress.js';
import type { MetricsRecord, RunProgress, RunStatus } from '../../shared/run-types.js';

const status = (o: Partial<RunStatus>): RunStatus => ({
  id: 'r',
  state: 'running',
  createdAt: '2026-01-01T10:00:00Z',
  updatedAt: '2026-01-01T10:00:00Z',
  startedAt: '2026-01-01T10:00:00Z',
  epoch: 0,
  totalEpochs: 20,
  ...o,
});

const progress = (o: Partial<RunProgress>): RunProgress => ({
  runId: 'r',
  phase: 'training',
  epoch: 3,
  totalEpochs: 20,
  step: 120,
  stepsPerEpoch: 240,
  samplesPerSec: 1840.4,
  etaSec: 4320,
  ...o,
});

describe('run progress', () => {
  it('times running and cancelled runs by the clock ("Duration 0 s" where the CLI said 3 min 13 s)', () => {
    const start = Date.parse('2026-01-01T10:00:00Z');
    expect(runDurationSec(status({}), 0, start + 193_000)).toBe(193);
    const cancelled = status({ state: 'cancelled', endedAt: '2026-01-01T10:03:13Z' });
    expect(runDurationSec(cancelled, 0, start + 999_000)).toBe(193);
    // A resumed run: its epochs' seconds cover the earlier sessions.
    expect(runDurationSec(status({ state: 'completed', endedAt: '2026-01-01T10:00:10Z' }), 300, 0)).toBe(300);
  });

  it('follows the phase: no "step 0/0 · 0 img/s · ETA 0 s" while evaluating', () => {
    expect(progressText(progress({}))).toBe(
      'training · epoch 3/20 · step 120/240 · 1,840 img/s · ETA 1 h 12 min',
    );
    const evaluating = progress({
      phase: 'evaluating',
      step: 0,
      stepsPerEpoch: 0,
      samplesPerSec: 0,
      etaSec: 0,
    });
    expect(progressText(evaluating)).toBe('evaluating · epoch 3/20');
    const suite = progress({
      phase: 'robustness',
      detail: 'PGD ε=0.1: 300/500',
      step: 0,
      stepsPerEpoch: 0,
      etaSec: 0,
    });
    expect(progressText(suite)).toBe('final evaluation · epoch 3/20 · PGD ε=0.1: 300/500');
    // The bar does not fall back to the start of the epoch while it is evaluated.
    expect(progressFraction(evaluating)).toBeCloseTo(3 / 20);
    expect(progressFraction(progress({}))).toBeCloseTo(2.5 / 20);
    expect(progressFraction(suite)).toBe(1);
  });

  it('keeps the bar where a cancelled run stopped (it emptied)', () => {
    const records: MetricsRecord[] = [
      { type: 'step', epoch: 1, step: 60, lr: 0.1, loss: 1, acc: 0.5, components: {} },
    ];
    const cancelled = status({ state: 'cancelled', epoch: 0, totalEpochs: 2 });
    expect(stoppedFraction(cancelled, records, 120)).toBeCloseTo(0.25);
    // Steps per epoch unknown: at least the epochs it entered.
    expect(stoppedFraction(status({ state: 'cancelled', epoch: 1, totalEpochs: 4 }), records, null)).toBe(
      0.25,
    );
    expect(stoppedFraction(status({ state: 'completed', epoch: 2, totalEpochs: 2 }), [], null)).toBe(1);
  });
});
