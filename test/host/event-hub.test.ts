import { describe, expect, it, vi } from 'vitest';
import { EventHub } from '../../electron/host/event-hub.js';
import type { RunProgress, RunStatus } from '../../shared/run-types.js';

const status = (id: string, epoch: number): RunStatus => ({
  id,
  state: 'running',
  createdAt: '',
  updatedAt: '',
  epoch,
  totalEpochs: 9,
});
const progress = (runId: string, step: number): RunProgress => ({
  runId,
  phase: 'training',
  epoch: 1,
  totalEpochs: 2,
  step,
  stepsPerEpoch: 100,
  samplesPerSec: 1,
  etaSec: 1,
});

describe('event hub', () => {
  it('batches bursts into at most one push per channel per tick, latest state per run', () => {
    vi.useFakeTimers();
    const hub = new EventHub(10);
    const got: [string, unknown][] = [];
    hub.subscribe((c, p) => got.push([c, p]));
    for (let i = 0; i < 500; i++) {
      hub.runProgress(progress('a', i));
      hub.runStatus(status('a', i));
      hub.runMetrics('a', { type: 'step', epoch: 1, step: i, lr: 0.1, loss: 1, acc: 0, components: {} });
    }
    expect(got).toHaveLength(0);
    vi.advanceTimersByTime(100);
    const channels = got.map(([c]) => c);
    expect(channels.sort()).toEqual(['lab:runs.onMetrics', 'lab:runs.onProgress', 'lab:runs.onStatus']);
    const prog = got.find(([c]) => c === 'lab:runs.onProgress')![1] as RunProgress[];
    expect(prog).toEqual([progress('a', 499)]);
    const st = got.find(([c]) => c === 'lab:runs.onStatus')![1] as RunStatus[];
    expect(st.map((s) => s.epoch)).toEqual([499]);
    const m = got.find(([c]) => c === 'lab:runs.onMetrics')![1] as { records: unknown[] }[];
    expect(m[0]!.records).toHaveLength(500);
    vi.advanceTimersByTime(1000);
    expect(got).toHaveLength(3);
    vi.useRealTimers();
  });
});
