import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** The slice of Electron's UtilityProcess the launcher uses. */
class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = 7777;
  stderr = new EventEmitter();
  readonly posted: unknown[] = [];
  readonly kill = vi.fn(() => true);
  postMessage(m: unknown): void {
    this.posted.push(m);
  }
}

const forked: FakeUtilityProcess[] = [];
vi.mock('electron', () => ({
  utilityProcess: {
    fork: () => {
      const p = new FakeUtilityProcess();
      forked.push(p);
      return p;
    },
  },
}));

const { UtilityProcessLauncher } = await import('../../electron/main/utility-launcher.js');

describe('engines in Electron utility processes', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    forked.length = 0;
  });

  it('holds messages until the process has spawned', () => {
    const engine = new UtilityProcessLauncher('/engine.js').launch();
    engine.send({ type: 'cancel' });
    expect(forked[0]!.posted).toEqual([]);
    forked[0]!.emit('spawn');
    expect(forked[0]!.posted).toEqual([{ type: 'cancel' }]);
  });

  it('tells when it has spawned, so the pid reaches status.json before the backend loads', () => {
    const engine = new UtilityProcessLauncher('/engine.js').launch();
    const spawned: (number | undefined)[] = [];
    forked[0]!.pid = undefined;
    engine.onSpawn?.(() => spawned.push(engine.pid));
    forked[0]!.pid = 7777;
    forked[0]!.emit('spawn');
    engine.onSpawn?.(() => spawned.push(engine.pid));
    expect(spawned).toEqual([7777, 7777]);
  });

  it('kills for real after the grace period: SIGKILL, not the SIGTERM the engine takes as a cancel', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const engine = new UtilityProcessLauncher('/engine.js').launch();
    forked[0]!.emit('spawn');
    engine.kill();
    expect(kill).toHaveBeenCalledWith(7777, 'SIGKILL');
    expect(forked[0]!.kill).not.toHaveBeenCalled();
  });

  it('falls back to Electron’s kill when the process has no pid', () => {
    const kill = vi.spyOn(process, 'kill');
    const engine = new UtilityProcessLauncher('/engine.js').launch();
    forked[0]!.pid = undefined;
    engine.kill();
    expect(kill).not.toHaveBeenCalled();
    expect(forked[0]!.kill).toHaveBeenCalled();
  });
});
