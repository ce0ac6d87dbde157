import type { ComparedRun, LggFigureGraphs } from '../../../shared/charts/index.js';
import { readFigureGraphs, type RunGroup } from '../../../shared/charts/index.js';
import { LabFailure } from '../../../shared/result.js';
import type { EpochRecord, StepRecord } from '../../../shared/run-types.js';
import type { LabHost } from '../../host/lab-host.js';

/** A run as the figures see it: detail, metrics split into epoch and step records, last snapshot. */
export async function loadComparedRun(host: LabHost, id: string): Promise<ComparedRun> {
  const got = await host.request('lab:runs.get', { id });
  if (!got.ok) throw new LabFailure(got.error.code, got.error.message);
  const epochs: EpochRecord[] = [];
  const steps: StepRecord[] = [];
  for (let from = 0; ;) {
    const page = await host.runs.metrics(id, from);
    for (const r of page.records) {
      if (r.type === 'epoch') epochs.push(r);
      else steps.push(r);
    }
    if (page.records.length === 0 || page.next <= from) break;
    from = page.next;
  }
  const probes = await host.runs.probeEpochs(id);
  const last = probes[probes.length - 1];
  const lastProbe = last === undefined ? undefined : await host.runs.probe(id, last).catch(() => undefined);
  return { id, detail: got.value, epochs, steps, ...(lastProbe ? { lastProbe } : {}) };
}

/** The LGG graphs the figure set draws (one run per group); an unreadable file leaves its panel out. */
export function loadFigureGraphs(host: LabHost, groups: readonly RunGroup[]): Promise<LggFigureGraphs[]> {
  return readFigureGraphs(groups, (id, file) => host.runs.graph(id, file));
}
