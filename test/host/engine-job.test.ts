import { describe, expect, it } from 'vitest';
import type { EngineHandle } from '../../electron/host/engine-launcher.js';
import { runEngineJob } from '../../electron/host/launch/engine-job.js';

describe('engine jobs', () => {
  it('reports the pid of a utility process as soon as it has spawned, before any message', async () => {
    const proc: { pid?: number } = {};
    let spawn: (() => void) | undefined;
    let exit: ((code: number | null, signal: string | null) => void) | undefined;
    const handle: EngineHandle = {
      get pid() {
        return proc.pid;
      },
      send: () => undefined,
      onMessage: () => undefined,
      onExit: (l) => (exit = l),
      onSpawn: (l) => (spawn = l),
      onStderr: () => undefined,
      kill: () => undefined,
    };
    const pids: (number | undefined)[] = [];
    const job = runEngineJob(
      { launch: () => handle },
      { type: 'info' },
      {
        backend: 'cpu',
        onStart: (p) => pids.push(p),
      },
    ).catch((e: unknown) => e);
    expect(pids).toEqual([]);
    proc.pid = 515;
    spawn?.();
    expect(pids).toEqual([515]);
    exit?.(1, null);
    expect(await job).toMatchObject({ code: 'engine-crashed' });
  });
});
