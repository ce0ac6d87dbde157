import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../shared/run-types.js';
import { alive } from '../../electron/host/runs/run-holder.js';
import { LGG_LAB_BIN, lggLab } from '../helpers/cli.js';
import { tempDataDir } from '../helpers/runs.js';

/**
 * Two lab processes over one data folder, as when `lgg-lab list` runs beside the app: the one that
 * lists must leave the other's queue alone while it lives, and call its runs interrupted once it is
 * killed. Both are real `lgg-lab` processes (the first trains with real engine processes).
 */
describe('a second lab process on the same data folder', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  let study: ChildProcess | undefined;
  let output = '';

  const list = async (): Promise<RunSummary[]> => {
    const r = await lggLab(['list', '--json', '--data-dir', data.dir]);
    if (r.code !== 0) throw new Error(`lgg-lab list failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as RunSummary[];
  };
  const states = async (): Promise<string[]> => (await list()).map((r) => r.status.state).sort();
  /** Waits until the runs' states (sorted) are `want`; the failure shows the study's own output. */
  const statesBecome = async (want: string[]): Promise<void> => {
    const until = Date.now() + 60_000;
    let seen = await states();
    while (seen.join() !== want.join() && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 300));
      seen = await states();
    }
    expect(seen, `lgg-lab study said:\n${output}`).toEqual(want);
  };

  beforeAll(async () => {
    data = await tempDataDir();
    const file = path.join(data.dir, 'study.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        kind: 'study',
        name: 'held elsewhere',
        // Long enough that the first run is still training when the process is killed.
        base: {
          kind: 'train',
          dataset: 'blobs',
          model: { arch: 'mlp', hidden: [16] },
          training: { epochs: 10_000 },
        },
        seeds: [0, 1, 2],
      }),
    );
    study = spawn(process.execPath, [LGG_LAB_BIN, 'study', file, '--data-dir', data.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    study.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    study.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  });

  afterAll(async () => {
    // The engine the killed study started ends when its host's pipe closes; make sure of it.
    if (study?.exitCode === null) study.kill('SIGKILL');
    for (const r of data ? await list().catch(() => []) : [])
      if (r.status.pid && alive(r.status.pid)) process.kill(r.status.pid, 'SIGKILL');
    await data?.cleanup();
  });

  it("leaves the other process's running and queued runs alone, and interrupts them once it is killed", async () => {
    // The study process trains one run at a time: one running (its engine started), two queued.
    await expect.poll(states, { timeout: 60_000, interval: 500 }).toEqual(['queued', 'queued', 'running']);
    const held = await list();
    expect(
      held.every((r) => r.status.holder?.pid === study?.pid),
      output,
    ).toBe(true);
    // Listed again, and read from disk: nothing was rewritten behind the study's back.
    expect(await states()).toEqual(['queued', 'queued', 'running']);
    for (const r of held) {
      const disk = JSON.parse(
        await fs.readFile(path.join(data.dir, 'runs', r.id, 'status.json'), 'utf8'),
      ) as { state: string };
      expect(disk.state).not.toBe('interrupted');
    }

    // Stopping it from here names the process that can: this one holds nothing to stop.
    const queued = held.find((r) => r.status.state === 'queued')?.id ?? '';
    const stop = await lggLab(['stop', queued, '--data-dir', data.dir]);
    expect(stop.stdout).toContain(`${queued}: queued in the queue of lab process ${study?.pid} on `);
    expect(await states()).toEqual(['queued', 'queued', 'running']);

    const gone = new Promise((resolve) => study?.once('exit', resolve));
    study?.kill('SIGKILL');
    await gone;
    await statesBecome(['interrupted', 'interrupted', 'interrupted']);
    const after = await list();
    expect(after.every((r) => r.status.holder === undefined && r.status.error?.code === 'interrupted')).toBe(
      true,
    );
  }, 150_000);
});
