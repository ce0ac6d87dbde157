import { LabFailure } from '../../../shared/result.js';
import { defineCommand, UsageError } from '../command.js';
import { withHost } from './host-context.js';

/** `lgg-lab stop`: cancels runs (a cluster run's task with scancel). */
export const stopCommand = defineCommand({
  name: 'stop',
  summary: 'cancel runs: a queued or running cluster run’s Slurm task is scancelled',
  usage: [
    'lgg-lab stop <run-id>… | --study NAME',
    '  A run the lab runs on this machine stops when the lab that started it is stopped (Ctrl-C);',
    '  a cluster run is cancelled wherever it runs: it checkpoints and can be resumed (lgg-lab resume).',
  ].join('\n'),
  options: {
    study: { type: 'string', value: 'NAME', help: 'every run tagged with this study' },
  },
  maxPositionals: Number.POSITIVE_INFINITY,
  run: (args, ctx) =>
    withHost(ctx, async (host) => {
      const study = args.options.study;
      let ids = args.positionals;
      if (study) {
        const rows = await host.runs.list();
        ids = rows.filter((r) => r.study === study).map((r) => r.id);
        if (ids.length === 0)
          throw new LabFailure('not-found', `no runs are tagged with the study "${study}"`);
      }
      if (ids.length === 0) throw new UsageError('which runs? (lgg-lab list)');
      let code = 0;
      for (const id of ids) {
        const r = await host.request('lab:runs.stop', { id });
        if (!r.ok) {
          ctx.err(`${id}: ${r.error.message}`);
          code = 1;
        } else if (r.value.stopped) ctx.out(`${id}: stopping`);
        else {
          // A run another lab process holds is that process's to stop: say which one.
          const s = await host.runs.status(id).catch(() => undefined);
          const h = s?.holder;
          const active = s?.state === 'queued' || s?.state === 'running';
          ctx.out(
            `${id}: ${
              active && h
                ? `${s.state} in the queue of lab process ${h.pid} on ${h.hostname}: stop it there`
                : 'not active here (nothing to stop)'
            }`,
          );
        }
      }
      return code;
    }),
});
