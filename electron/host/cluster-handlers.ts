import path from 'node:path';
import { LabFailure } from '../../shared/result.js';
import { expandStudy, parseExperimentSpec, parseStudySpec } from '../../shared/spec/index.js';
import type { Handlers } from './handlers.js';
import type { LabHost } from './lab-host.js';
import { newRunId } from './runs/run-id.js';

/** Free-form #SBATCH options may run commands (`--export=LD_PRELOAD=…`): not from a browser. */
export function forbiddenSbatchArgs(): LabFailure {
  return new LabFailure(
    'forbidden',
    'Further #SBATCH options can make the cluster run other commands: set them from the command line, the desktop app or settings.json, not from a browser.',
  );
}

type ClusterChannel = 'lab:cluster.info' | 'lab:cluster.preview' | 'lab:cluster.saveSettings';

/** Handlers of the cluster channels: settings, Slurm availability and the script preview. */
export function clusterHandlers(host: LabHost): Pick<Handlers, ClusterChannel> {
  // The lab command is a command line the cluster runs: a browser (web mode, token holders) may
  // not change it; the desktop app's user and the person at the terminal may.
  const editable = !host.browserRequests;
  return {
    'lab:cluster.info': () => host.slurm.info(editable),
    'lab:cluster.preview': (p) => {
      // Run ids are given when the runs are created; the preview shows ids of the same form.
      if (p.spec !== undefined) {
        const r = parseExperimentSpec(p.spec);
        if (!r.ok) throw new LabFailure(r.error.code, r.error.message, r.error.details);
        const id = newRunId(r.value);
        const dirs = [path.join(host.runs.root, id)];
        return Promise.resolve(
          host.slurm.preview(dirs, { options: p.slurm, dryRun: true, owner: { kind: 'run', id } }),
        );
      }
      const r = parseStudySpec(p.study);
      if (!r.ok) throw new LabFailure(r.error.code, r.error.message, r.error.details);
      const dirs = expandStudy(r.value).map((s) => path.join(host.runs.root, newRunId(s)));
      return Promise.resolve(
        host.slurm.preview(dirs, {
          options: p.slurm,
          dryRun: true,
          owner: { kind: 'study', name: r.value.name },
        }),
      );
    },
    'lab:cluster.saveSettings': async (p) => {
      const now = host.settings.cluster;
      if (!editable && p.settings.labCommand !== now.labCommand) {
        throw new LabFailure(
          'forbidden',
          'The lab command is a command line compute nodes run: set it in settings.json or from the desktop app, not from a browser.',
        );
      }
      if (!editable && p.settings.defaults.sbatchArgs.join('\n') !== now.defaults.sbatchArgs.join('\n'))
        throw forbiddenSbatchArgs();
      await host.updateSettings({ ...host.settings, cluster: p.settings });
      return host.slurm.info(editable);
    },
  };
}
