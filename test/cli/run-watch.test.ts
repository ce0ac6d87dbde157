import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../shared/run-types.js';
import type { CliContext } from '../../electron/cli/command.js';
import { progressLine, watchRuns } from '../../electron/cli/run-watch.js';
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

describe('lgg-lab run: the progress line', () => {
  it('follows the phase: no "step 0/0 · 0 img/s · ETA 0 s" while evaluating', () => {
    const base = {
      runId: 'r',
      epoch: 2,
      totalEpochs: 4,
      step: 50,
      stepsPerEpoch: 100,
      samplesPerSec: 812.4,
      etaSec: 95,
    };
    expect(progressLine({ ...base, phase: 'training' }, 0.123456)).toBe(
      '█████████░░░░░░░░░░░░░░░  38 % · training · epoch 2/4 · step 50/100 · 812 img/s · ETA 1 min 35 s · loss 0.1235',
    );
    const line = progressLine({
      ...base,
      phase: 'evaluating',
      step: 0,
      stepsPerEpoch: 0,
      samplesPerSec: 0,
      etaSec: 0,
    });
    expect(line).toBe('████████████░░░░░░░░░░░░  50 % · evaluating · epoch 2/4');
  });
});
