import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/run-types.js';
import type { CliContext } from '../../electron/cli/command.js';
import { watchRuns } from '../../electron/cli/run-watch.js';
import { createLabHost, type LabHost } from '../../electron/host/lab-host.js';
import { writeSyntheticImages } from '../helpers/datasets.js';
import { FakeLauncher } from '../helpers/fake-engine.js';
import { tempDataDir } from '../helpers/runs.js';

describe('lgg-lab run: Ctrl-C', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  let launcher: FakeLauncher;
  let host: LabHost;
  beforeEach(async () => {
    data = await tempDataDir();
    await writeSyntheticImages(data.dir, {
      id: 'squares',
      classes: 2,
      train: 8,
      test: 4,
      height: 4,
      width: 4,
      channels: 1,
    });
    launcher = new FakeLauncher();
    host = await createLabHost({ dataDir: data.dir, mode: 'web', launcher });
  });
  afterEach(async () => {
    await host.close();
    await data.cleanup();
  });

  it('a Ctrl-C pressed while the run was being set up still checkpoints it and ends the watch', async () => {
    const started = await host.request('lab:runs.start', {
      spec: { kind: 'train', dataset: 'squares', training: { epochs: 2 } },
    });
    if (!started.ok) throw new Error(started.error.message);
    await expect.poll(() => launcher.engines[0]?.job).toBeDefined();
    const interrupt = new AbortController();
    interrupt.abort();
    const lines: string[] = [];
    const ctx: CliContext = {
      dataDir: data.dir,
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      signal: interrupt.signal,
      tty: false,
    };
    let timer: NodeJS.Timeout | undefined;
    const ignored = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the Ctrl-C was ignored')), 5000);
    });
    const statuses: RunStatus[] = await Promise.race([watchRuns(host, [started.value.id], ctx), ignored]);
    clearTimeout(timer);
    expect(statuses.map((s) => s.state)).toEqual(['interrupted']);
    expect(lines.join('\n')).toContain('Interrupted: checkpointing');
  });
});
