import { describe, expect, it } from 'vitest';
import type { SlurmTaskState } from '../../../shared/executor.js';
import type { RunStatus } from '../../../shared/run-types.js';
import {
  parseSacct,
  parseSqueue,
  reconcileStatus,
  slurmPhase,
} from '../../../electron/host/executors/index.js';

const AT = '2026-12-03T10:00:00.000Z';

describe('reading Slurm', () => {
  it('maps Slurm states to the lab’s phases', () => {
    expect(slurmPhase('PENDING')).toBe('pending');
    expect(slurmPhase('REQUEUED')).toBe('pending');
    expect(slurmPhase('RUNNING')).toBe('running');
    expect(slurmPhase('COMPLETING')).toBe('completing');
    expect(slurmPhase('CANCELLED by 1000')).toBe('cancelled');
    expect(slurmPhase('TIMEOUT')).toBe('timeout');
    expect(slurmPhase('PREEMPTED')).toBe('preempted');
    expect(slurmPhase('NODE_FAIL')).toBe('node-fail');
    expect(slurmPhase('OUT_OF_MEMORY')).toBe('out-of-memory');
    expect(slurmPhase('SOMETHING_NEW')).toBe('unknown');
  });

  it('parses squeue -O lines (as Slurm 22.05 prints them here), exit status as exit:signal', () => {
    const m = parseSqueue(
      [
        '12_0|RUNNING|None|node07|0',
        '12_1|PENDING|Priority||0',
        '12_2|FAILED|NonZeroExitCode|node03|32512',
        '12_3|CANCELLED|None|node03|15',
        '',
      ].join('\n'),
      AT,
    );
    expect(m.get('12_0')).toEqual({
      phase: 'running',
      state: 'RUNNING',
      task: '12_0',
      node: 'node07',
      source: 'squeue',
      checkedAt: AT,
    });
    expect(m.get('12_1')).toMatchObject({ phase: 'pending', reason: 'Priority' });
    expect(m.get('12_1')?.node).toBeUndefined();
    expect(m.get('12_2')).toMatchObject({ phase: 'failed', exitCode: '127:0', reason: 'NonZeroExitCode' });
    expect(m.get('12_3')).toMatchObject({ phase: 'cancelled', exitCode: '0:15' });
  });

  it('parses sacct -P lines: the last attempt of a requeued task wins; unsplit ranges are left to squeue', () => {
    const m = parseSacct(
      [
        '9_0|COMPLETED|0:0|n1',
        '9_1|REQUEUED|0:15|n2',
        '9_1|TIMEOUT|0:0|n2',
        '9_[2-4]|PENDING|0:0|None assigned',
        '9_5|CANCELLED by 0|0:0|None assigned',
      ].join('\n'),
      AT,
    );
    expect([...m.keys()]).toEqual(['9_0', '9_1', '9_5']);
    expect(m.get('9_1')).toMatchObject({ phase: 'timeout', source: 'sacct', node: 'n2' });
    expect(m.get('9_5')).toMatchObject({ phase: 'cancelled', state: 'CANCELLED by 0' });
    expect(m.get('9_5')?.node).toBeUndefined();
  });
});

function status(state: RunStatus['state'], extra: Partial<RunStatus> = {}): RunStatus {
  return {
    id: 'r1',
    state,
    createdAt: AT,
    updatedAt: AT,
    epoch: 1,
    totalEpochs: 3,
    executor: {
      kind: 'slurm',
      jobId: '12',
      arrayIndex: 2,
      script: '/d/job.sh',
      submittedAt: '2026-12-03T09:00:00.000Z',
    },
    ...extra,
  };
}

function slurm(phase: SlurmTaskState['phase'], extra: Partial<SlurmTaskState> = {}): SlurmTaskState {
  return {
    phase,
    state: phase.toUpperCase(),
    task: '12_2',
    node: 'n7',
    source: 'squeue',
    checkedAt: AT,
    ...extra,
  };
}

describe('reconciling status.json with Slurm', () => {
  it('leaves runs alone while their task is pending or running, and runs that recorded their end', () => {
    expect(reconcileStatus(status('queued'), slurm('pending'), undefined)).toBeUndefined();
    expect(reconcileStatus(status('running'), slurm('running'), undefined)).toBeUndefined();
    expect(reconcileStatus(status('completed'), slurm('completed'), undefined)).toBeUndefined();
    expect(reconcileStatus(status('failed'), slurm('failed'), undefined)).toBeUndefined();
  });

  it('records what killed a task that could not record it, with the end of its log', () => {
    const failed = reconcileStatus(
      status('running'),
      slurm('failed', { exitCode: '127:0' }),
      'line 12: /opt/node: No such file or directory',
    );
    expect(failed).toMatchObject({ state: 'failed', endedAt: AT, error: { code: 'slurm-failed' } });
    expect(failed?.error?.message).toBe(
      'Slurm task 12_2 failed on n7 (exit 127:0); its log ends:\nline 12: /opt/node: No such file or directory',
    );
    expect(reconcileStatus(status('running'), slurm('out-of-memory'), undefined)).toMatchObject({
      state: 'failed',
      error: { code: 'slurm-oom' },
    });
    expect(reconcileStatus(status('running'), slurm('timeout'), undefined)).toMatchObject({
      state: 'interrupted',
      error: { code: 'slurm-timeout' },
    });
    expect(reconcileStatus(status('running'), slurm('node-fail'), undefined)?.state).toBe('interrupted');
    expect(reconcileStatus(status('running'), slurm('preempted'), undefined)?.state).toBe('interrupted');
    expect(reconcileStatus(status('queued'), slurm('cancelled'), undefined)?.state).toBe('cancelled');
    expect(reconcileStatus(status('running'), slurm('completed'), undefined)?.error?.code).toBe(
      'slurm-no-outcome',
    );
  });

  it('tells a scancel from a time limit after the task recorded a TERM', () => {
    const term = status('interrupted', { error: { code: 'slurm-term', message: 'TERM' } });
    expect(reconcileStatus(term, slurm('cancelled'), undefined)).toMatchObject({ state: 'cancelled' });
    expect(reconcileStatus(term, slurm('timeout'), undefined)?.error?.code).toBe('slurm-timeout');
    // Requeued: it runs again and records its own state.
    expect(reconcileStatus(term, slurm('pending'), undefined)).toBeUndefined();
  });

  it('treats a task Slurm forgot as gone only a minute after submission; a lab cancel as cancelled', () => {
    const gone = slurm('unknown', { source: 'none', state: '' });
    const fresh = status('queued', {
      executor: {
        kind: 'slurm',
        jobId: '12',
        arrayIndex: 2,
        script: '/d/job.sh',
        submittedAt: '2026-12-03T09:59:30.000Z',
      },
    });
    expect(reconcileStatus(fresh, gone, undefined)).toBeUndefined();
    expect(reconcileStatus(status('queued'), gone, undefined)).toMatchObject({
      state: 'interrupted',
      error: { code: 'slurm-gone' },
    });
    expect(reconcileStatus(status('queued'), gone, undefined, true)).toMatchObject({ state: 'cancelled' });
  });
});
