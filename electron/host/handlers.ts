import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type {
  ImportOptionsInput,
  ParsedRequestOf,
  RequestChannel,
  ResponseOf,
} from '../../shared/contract.js';
import type { AnalyzeResult, PreviewResult } from '../../shared/engine-protocol.js';
import { PRESETS, TEACHER_PLACEHOLDER } from '../../shared/presets.js';
import { LabFailure, toLabError } from '../../shared/result.js';
import { TERMINAL_STATES, type RunStatus } from '../../shared/run-types.js';
import { expandStudy, parseExperimentSpec, parseStudySpec } from '../../shared/spec/index.js';
import type { ExperimentSpec } from '../../shared/spec/experiments.js';
import type { ExecutorChoice, SlurmOptions, SlurmSubmission } from '../../shared/executor.js';
import { clusterHandlers, forbiddenSbatchArgs } from './cluster-handlers.js';
import type { SubmissionOwner } from './executors/index.js';
import { chooseResumePoint, damageOf, RunFolderDamage } from '../common/run-folder/index.js';
import { exportRun } from './export/run-export.js';
import type { LabHost } from './lab-host.js';
import { labVersion } from '../common/lab-version.js';
import { preflightRun } from './runs/preflight.js';
import { grantThreads } from '../../shared/threads.js';

/** One handler per request channel, receiving the validated payload. */
export type Handlers = { [C in RequestChannel]: (p: ParsedRequestOf<C>) => Promise<ResponseOf<C>> };

function validSpec(raw: unknown): ExperimentSpec {
  const r = parseExperimentSpec(raw);
  if (!r.ok) throw new LabFailure(r.error.code, r.error.message, r.error.details);
  if (r.value.kind === 'distill' && 'run' in r.value.teacher && r.value.teacher.run === TEACHER_PLACEHOLDER) {
    throw new LabFailure(
      'invalid-spec',
      'teacher: choose a teacher run (a finished run) or a checkpoint folder',
      [{ path: 'teacher', message: 'choose a teacher' }],
    );
  }
  return r.value;
}

/** Creates a checked run (see {@link preflightRun}) and queues it here. */
async function createRun(host: LabHost, spec: ExperimentSpec): Promise<string> {
  const status = await host.runs.create(spec);
  host.events.runStatus(status);
  await host.local.submit([status.id]);
  return status.id;
}

/**
 * Creates the runs of validated specs and starts them on an executor: queued here (`local`), or
 * submitted to Slurm as one job array. A failed submission removes the run folders it created:
 * nothing half-submitted stays queued.
 */
async function startRuns(
  host: LabHost,
  specs: ExperimentSpec[],
  executor: ExecutorChoice | undefined,
  study?: string,
): Promise<{ ids: string[]; submission?: SlurmSubmission }> {
  if (executor?.kind === 'slurm' && executor.slurm.sbatchArgs.length > 0 && host.browserRequests)
    throw forbiddenSbatchArgs();
  if (!executor || executor.kind === 'local') {
    // Every run is checked before the first folder is made: a study is refused whole or started whole.
    for (const spec of specs) await preflightRun(host, spec);
    const ids: string[] = [];
    for (const spec of specs) ids.push(await createRun(host, spec));
    return { ids };
  }
  const submit = {
    options: executor.slurm,
    dryRun: executor.dryRun,
    assumeSharedFs: executor.assumeSharedFs,
  };
  await host.slurm.precheck({ ...submit, owner: { kind: 'study', name: study ?? 'run' } });
  for (const spec of specs) await preflightRun(host, spec);
  const ids: string[] = [];
  let submission: SlurmSubmission;
  try {
    for (const spec of specs) ids.push((await host.runs.create(spec)).id);
    const owner: SubmissionOwner = study ? { kind: 'study', name: study } : { kind: 'run', id: ids[0] ?? '' };
    submission = await host.slurm.submit(ids, { ...submit, owner });
  } catch (e) {
    for (const id of ids) await host.runs.remove(id).catch(() => undefined);
    throw e;
  }
  for (const s of await host.slurm.decorate(await Promise.all(ids.map((id) => host.runs.status(id)))))
    host.events.runStatus(s);
  return { ids, submission };
}

/**
 * The Slurm options a resubmission reuses: the run's own, except free-form #SBATCH options a
 * browser may not set, which are kept only when they are the settings' (status.json is untrusted:
 * a copied run folder could carry `--export=LD_PRELOAD=…`).
 */
function storedOptions(host: LabHost, s: RunStatus): SlurmOptions | undefined {
  const o = s.executor?.options;
  if (!o || !host.browserRequests) return o;
  const trusted = host.settings.cluster.defaults.sbatchArgs;
  return o.sbatchArgs.join('\n') === trusted.join('\n') ? o : { ...o, sbatchArgs: [] };
}

/**
 * The real path of an import source a request names, when the path policy allows it. Following
 * links is refused where paths are restricted: a link inside an allowed folder may lead anywhere.
 */
async function checkSource(
  host: LabHost,
  p: string,
  options: ImportOptionsInput | undefined,
): Promise<string> {
  if (options?.followLinks && !host.pathPolicy.unrestricted)
    throw new LabFailure(
      'forbidden-path',
      'followLinks: this server does not follow links inside imported folders (they could lead outside the folders it may read)',
    );
  return host.checkPath(p, 'path');
}

/** The host's request handlers. */
export function createHandlers(host: LabHost): Handlers {
  const imports = new Map<string, AbortController>();
  return {
    ...clusterHandlers(host),
    'lab:system.info': async () => ({
      backend: await host.backend(),
      dataDir: host.options.dataDir,
      version: host.options.version ?? labVersion(),
      mode: host.options.mode,
      queue: host.queue.counts(),
      threads: host.queue.threadUse(),
    }),
    'lab:presets.list': () => Promise.resolve([...PRESETS]),
    'lab:specs.validate': (p) => Promise.resolve(validSpec(p.spec)),
    'lab:datasets.list': async () => {
      await host.datasets.ensureBuiltin('mnist');
      return host.datasets.list();
    },
    'lab:datasets.preview': async (p) =>
      host.datasets.preview(await checkSource(host, p.path, p.options), p.options),
    'lab:datasets.import': async (p) => {
      const source = await checkSource(host, p.path, p.options);
      const jobId = randomBytes(6).toString('hex');
      const ctl = new AbortController();
      imports.set(jobId, ctl);
      const done = (
        phase: 'done' | 'failed' | 'cancelled',
        extra: { message?: string; datasetId?: string },
      ): void =>
        host.events.importProgress({
          jobId,
          phase,
          fraction: phase === 'done' ? 1 : 0,
          done: 0,
          total: 0,
          ...extra,
        });
      host.datasets
        .import(source, {
          ...p.options,
          ...(p.name ? { name: p.name } : {}),
          signal: ctl.signal,
          onProgress: (u) => host.events.importProgress({ ...u, jobId }),
        })
        .then(
          async (meta) => {
            done('done', { datasetId: meta.id });
            host.events.now('lab:datasets.onChanged', await host.datasets.list());
          },
          (e: unknown) =>
            done(ctl.signal.aborted ? 'cancelled' : 'failed', { message: toLabError(e).message }),
        )
        .finally(() => imports.delete(jobId));
      return { jobId };
    },
    'lab:datasets.cancelImport': (p) => {
      const ctl = imports.get(p.jobId);
      ctl?.abort();
      return Promise.resolve({ cancelled: !!ctl });
    },
    'lab:datasets.remove': async (p) => {
      const removed = await host.datasets.remove(p.id);
      host.events.now('lab:datasets.onChanged', await host.datasets.list());
      return { removed };
    },
    'lab:datasets.samples': (p) => host.datasets.samples(p.id, p.split, p.count),
    'lab:runs.list': async () => {
      const rows = await host.runs.list();
      const statuses = await host.slurm.decorate(rows.map((r) => r.status));
      return rows.map((r, i) => ({ ...r, status: statuses[i] ?? r.status }));
    },
    'lab:runs.get': async (p) => {
      const [summary, spec, report] = await Promise.all([
        host.runs.summary(p.id),
        host.runs.spec(p.id),
        host.runs.report(p.id),
      ]);
      const [status] = await host.slurm.decorate([summary.status]);
      return {
        summary: { ...summary, status: status ?? summary.status },
        spec,
        ...(report ? { report } : {}),
        path: host.runs.dir(p.id),
      };
    },
    'lab:runs.start': async (p) => {
      const { ids, submission } = await startRuns(host, [validSpec(p.spec)], p.executor);
      return { id: ids[0] ?? '', ...(submission ? { submission } : {}) };
    },
    'lab:runs.startStudy': async (p) => {
      const r = parseStudySpec(p.study);
      if (!r.ok) throw new LabFailure(r.error.code, r.error.message, r.error.details);
      const specs = expandStudy(r.value).map((s) => validSpec(s));
      return startRuns(host, specs, p.executor, r.value.name);
    },
    'lab:runs.stop': async (p) => {
      if (host.local.has(p.id)) return { stopped: await host.local.cancel(p.id) };
      const s = await host.runs.status(p.id);
      if (!s.executor) return { stopped: false };
      const [seen] = await host.slurm.decorate([s]);
      const active = seen?.slurm && ['pending', 'running', 'suspended'].includes(seen.slurm.phase);
      if (TERMINAL_STATES.includes(s.state) && !active) return { stopped: false };
      host.events.runStatus(await host.slurm.cancel(s));
      return { stopped: true };
    },
    'lab:runs.resume': async (p) => {
      const s = await host.runs.status(p.id);
      if (s.state === 'completed')
        throw new LabFailure('invalid-request', `run ${p.id} has completed; nothing to resume`);
      if (!TERMINAL_STATES.includes(s.state)) throw new LabFailure('busy', `run ${p.id} is ${s.state}`);
      if (host.queue.has(p.id)) throw new LabFailure('busy', `run ${p.id} is already queued`);
      if (s.executor && p.backend)
        throw new LabFailure(
          'invalid-request',
          `run ${p.id} runs on Slurm, on its spec's backend: --backend is for runs on this machine`,
        );
      if (s.executor && p.slurm?.sbatchArgs.length && host.browserRequests) throw forbiddenSbatchArgs();
      const spec = await host.runs.spec(p.id);
      await preflightRun(host, spec);
      const point = await chooseResumePoint(host.runs.dir(p.id)).catch((e: unknown) => {
        const d = damageOf(e);
        throw d ? new RunFolderDamage(d.file, d.reason, `run ${p.id}: `) : e;
      });
      const epoch = point.checkpoint?.meta.state.epoch ?? 0;
      await host.runs.updateStatus(p.id, { epoch });
      const reply = {
        id: p.id,
        ...(point.checkpoint ? { checkpoint: point.checkpoint.name } : {}),
        epoch,
        note: point.note,
      };
      if (s.executor) {
        // The task resumes from the newest intact checkpoint itself: the one named here, unless
        // another lands in between (the run folder is the only state).
        const now = await host.runs.status(p.id);
        const submission = await host.slurm.resubmit(now, p.slurm ?? storedOptions(host, now));
        host.events.runStatus(await host.runs.status(p.id));
        return { ...reply, submission };
      }
      await host.queue.enqueue(p.id, point.checkpoint ? { from: point.checkpoint.name } : false, p.backend);
      return reply;
    },
    'lab:runs.remove': async (p) => {
      if (host.local.has(p.id)) throw new LabFailure('busy', `run ${p.id} is active; stop it first`);
      const s = await host.runs.status(p.id).catch(() => undefined);
      if (s?.executor && !TERMINAL_STATES.includes(s.state))
        throw new LabFailure('busy', `run ${p.id} is ${s.state} on Slurm; stop it first`);
      return { removed: await host.runs.remove(p.id) };
    },
    'lab:runs.metrics': (p) => host.runs.metrics(p.id, p.from),
    'lab:runs.probes': async (p) => ({ epochs: await host.runs.probeEpochs(p.id) }),
    'lab:runs.probe': (p) => host.runs.probe(p.id, p.epoch),
    'lab:runs.graph': (p) => host.runs.graph(p.id, p.file),
    'lab:runs.export': (p) =>
      exportRun(host.runs, p.id, p.format, path.join(host.options.dataDir, 'exports')),
    'lab:runs.evaluate': async (p) => {
      const s = await host.runs.status(p.id);
      if (s.state !== 'completed') throw new LabFailure('invalid-request', `run ${p.id} has not completed`);
      const use = host.queue.threadUse();
      const threads = grantThreads((await host.runs.spec(p.id)).threads, use.cores, use.inUse);
      void host
        .runJob(
          {
            type: 'evaluate',
            runDir: host.runs.dir(p.id),
            dataDir: host.options.dataDir,
            ...(p.evaluation ? { evaluation: p.evaluation } : {}),
            threads,
          },
          {
            onMessage: (m) => {
              if (m.type === 'progress') host.events.runProgress({ ...m.progress, runId: p.id });
            },
          },
        )
        .then(
          async () => host.events.runStatus(await host.runs.status(p.id)),
          async (e: unknown) =>
            host.events.runStatus({ ...(await host.runs.status(p.id)), error: toLabError(e) }),
        )
        // The run may have been deleted meanwhile: nothing to report, and nothing may reject
        // unhandled (that ends the process serving every other run).
        .catch(() => undefined);
      return { id: p.id };
    },
    'lab:lgg.preview': async (p) => {
      await host.ensureDataset(p.dataset);
      const o = await host.runJob({
        type: 'preview',
        dataDir: host.options.dataDir,
        dataset: p.dataset,
        perClass: p.perClass,
        lgg: p.lgg,
      });
      return o.value as PreviewResult;
    },
    'lab:lgg.analyze': async (p) => {
      const check = (files: readonly string[], what: string): Promise<string[]> =>
        Promise.all(files.map((f) => host.checkPath(f, what)));
      const [layers, [labels = ''], teacherLayers] = await Promise.all([
        check(p.layers, 'layers'),
        check([p.labels], 'labels'),
        check(p.teacherLayers ?? [], 'teacherLayers'),
      ]);
      const o = await host.runJob({
        type: 'analyze',
        layers,
        labels,
        ...(p.teacherLayers ? { teacherLayers } : {}),
        lgg: p.lgg,
        gkd: { weight: 25, reduction: 'sum' },
      });
      return o.value as AnalyzeResult;
    },
  };
}
