import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { processStartTicks, thisHolder } from '../../electron/host/runs/run-holder.js';
import { RunStore } from '../../electron/host/runs/run-store.js';
import type { RunHolder, RunStatus } from '../../shared/run-types.js';
import { parsedSpec, useRunStore } from '../helpers/runs.js';

/** The pid of a process that has ended (a real one, not a made-up number). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  if (!r.pid) throw new Error('could not start node');
  return r.pid;
}

describe('which lab process may call a run interrupted', () => {
  const t = useRunStore();

  /** A run whose status.json says `patch`, read by another store (another host) over the folder. */
  async function readByAnother(patch: Partial<RunStatus>): Promise<RunStatus> {
    const s = await t.store.create(parsedSpec({ kind: 'train', training: { epochs: 2 } }));
    await t.store.updateStatus(s.id, patch);
    return new RunStore(t.dir).status(s.id);
  }

  it('records this process as the holder of a run it creates, with its start time on Linux', async () => {
    const s = await t.store.create(parsedSpec({ kind: 'train', training: { epochs: 2 } }));
    expect(s.holder).toEqual(thisHolder());
    expect(s.holder).toMatchObject({ hostname: os.hostname(), pid: process.pid });
    // This machine is Linux: /proc gives the start time that tells a reused pid apart.
    expect(processStartTicks(process.pid)).toBeGreaterThan(0);
    expect(s.holder?.startTicks).toBe(processStartTicks(process.pid));
  });

  it('a queued run whose holder has exited on this machine is interrupted, and the holder dropped', async () => {
    const st = await readByAnother({ holder: { hostname: os.hostname(), pid: deadPid() } });
    expect(st.state).toBe('interrupted');
    expect(st.error?.code).toBe('interrupted');
    expect(st.holder).toBeUndefined();
  });

  it('a pid now taken by another process does not keep a dead holder alive', async () => {
    const reused: RunHolder = {
      hostname: os.hostname(),
      pid: process.pid,
      startTicks: (processStartTicks(process.pid) ?? 1) - 1,
    };
    expect((await readByAnother({ holder: reused })).state).toBe('interrupted');
  });

  it('leaves a run held by a process on another machine alone: its pid proves nothing here', async () => {
    const st = await readByAnother({
      state: 'running',
      holder: { hostname: `${os.hostname()}-elsewhere`, pid: deadPid() },
    });
    expect(st.state).toBe('running');
    expect(st.holder?.hostname).toBe(`${os.hostname()}-elsewhere`);
  });

  it('a running run whose engine still lives is left alone while its dead holder is judged', async () => {
    const st = await readByAnother({
      state: 'running',
      pid: process.pid,
      holder: { hostname: os.hostname(), pid: deadPid() },
    });
    expect(st.state).toBe('running');
  });

  it('never judges a cluster run, whoever held it', async () => {
    const st = await readByAnother({
      holder: { hostname: os.hostname(), pid: deadPid() },
      executor: { kind: 'slurm', arrayIndex: 0, script: '/tmp/none.sbatch' },
    });
    expect(st.state).toBe('queued');
  });

  it('judges a run folder written before holders existed by its engine pid', async () => {
    expect((await readByAnother({ holder: undefined })).state).toBe('interrupted');
    const live = await readByAnother({ holder: undefined, state: 'running', pid: process.pid });
    expect(live.state).toBe('running');
  });

  it('drops the holder once the run ends, and a store on a compute node judges nothing', async () => {
    const s = await t.store.create(parsedSpec({ kind: 'train', training: { epochs: 2 } }));
    expect((await t.store.updateStatus(s.id, { state: 'completed' })).holder).toBeUndefined();
    await t.store.updateStatus(s.id, {
      state: 'queued',
      holder: { hostname: os.hostname(), pid: deadPid() },
    });
    expect((await new RunStore(t.dir, { judgeOrphans: false }).status(s.id)).state).toBe('queued');
  });
});
