import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  SLURM_DONE_PHASES,
  type ClusterInfo,
  type ClusterSettings,
  type SlurmOptions,
  type SlurmSubmission,
  type SlurmTaskRecord,
  type SlurmTaskState,
} from '../../../../shared/executor.js';
import { LabFailure, toLabError } from '../../../../shared/result.js';
import { TERMINAL_STATES, type RunStatus } from '../../../../shared/run-types.js';
import { readJsonIfExists, writeJsonAtomic } from '../../../common/atomic-file.js';
import type { RunStore } from '../../runs/run-store.js';
import { studyDir } from '../../studies/study-report.js';
import { slurm } from './commands.js';
import { labCommandWords, shellQuote } from './lab-command.js';
import { reconcileStatus, taskLogTail } from './reconcile.js';
import { slurmScript, type ScriptInput } from './script.js';
import { checkSharedDataDir } from './shared-fs.js';
import { SlurmTaskQuery, taskName } from './task-states.js';

/** File in a run folder saying the lab cancelled its task (read by the task on TERM and at start). */
export const CANCEL_MARKER = 'slurm-cancel.json';

/** What a submission is for: a study (script in its study folder) or a single run (in its run folder). */
export type SubmissionOwner = { kind: 'study'; name: string } | { kind: 'run'; id: string };

/** Options of {@link SlurmExecutor.submit}. */
export interface SubmitOptions {
  /** Options of this submission (merged over the settings' defaults). */
  options: SlurmOptions;
  /** Write everything, submit nothing. */
  dryRun: boolean;
  /** Where the script goes and what it is called. */
  owner: SubmissionOwner;
  /** Skip the shared-filesystem check (a filesystem the check does not know). */
  assumeSharedFs?: boolean;
}

/** How long a Slurm answer is reused before squeue is asked again. */
const STATE_TTL_MS = 2_000;
/** Finished cluster runs are shown with Slurm's view for this long after their last status write. */
const RECENT_MS = 24 * 3600 * 1000;

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

/** Submission options: the request's where it sets them, else the settings' defaults. */
export function mergeOptions(defaults: SlurmOptions, given: SlurmOptions): SlurmOptions {
  const out: SlurmOptions = { ...defaults, sbatchArgs: [...defaults.sbatchArgs] };
  for (const [k, v] of Object.entries(given) as [keyof SlurmOptions, unknown][]) {
    if (k === 'sbatchArgs') continue;
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (given.sbatchArgs.length > 0) out.sbatchArgs = [...given.sbatchArgs];
  return out;
}

/**
 * The Slurm executor: writes a job array's batch script beside the study (or run), submits it held,
 * records the job in every run's status and releases it, so a task never starts before its run
 * knows its job and a failed submission leaves nothing queued. Cancels with scancel, resubmits a
 * single task for resume, and reads task states from squeue/sacct, reconciling status.json where a
 * task ended without recording its outcome.
 */
export class SlurmExecutor {
  private readonly tasks = new SlurmTaskQuery();
  private cache: { at: number; key: string; states: Map<string, SlurmTaskState> } | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly runs: RunStore,
    private readonly settings: () => ClusterSettings,
    private readonly version: string,
  ) {}

  /** The command tasks run the lab with. */
  labCommand(): string[] {
    return labCommandWords(this.settings().labCommand);
  }

  /** Settings, Slurm availability and the data folder check, for the study form and the settings. */
  async info(commandEditable: boolean): Promise<ClusterInfo> {
    const settings = this.settings();
    let labCommand: string;
    try {
      labCommand = this.labCommand().map(shellQuote).join(' ');
    } catch (e) {
      labCommand = `(${toLabError(e).message})`;
    }
    let slurmInfo: ClusterInfo['slurm'];
    let sharedFs: ClusterInfo['sharedFs'];
    try {
      const version = (await slurm('sbatch', ['--version'], { timeoutMs: 10_000 })).trim();
      const parts = await slurm('sinfo', ['-h', '-o', '%P'], { timeoutMs: 10_000 });
      slurmInfo = {
        available: true,
        version,
        partitions: parts
          .split('\n')
          .map((p) => p.trim())
          .filter(Boolean),
      };
      sharedFs = await checkSharedDataDir(this.dataDir, settings.defaults.partition);
    } catch (e) {
      const message = toLabError(e).message;
      slurmInfo = { available: false, message };
      sharedFs = { ok: false, fsType: 'unknown', message: `not checked: ${message}` };
    }
    return { settings, labCommand, commandEditable, slurm: slurmInfo, dataDir: this.dataDir, sharedFs };
  }

  /** The script and submit command for runs (a preview: nothing is written). */
  preview(
    runDirs: string[],
    submit: SubmitOptions,
    createdAt = new Date(),
  ): { script: string; command: string; file: string } {
    const input = this.scriptInput(runDirs, submit, createdAt);
    return {
      script: slurmScript(input.script),
      command: `sbatch ${shellQuote(input.file)}`,
      file: input.file,
    };
  }

  private scriptInput(
    runDirs: string[],
    submit: SubmitOptions,
    createdAt: Date,
  ): { script: ScriptInput; file: string; taskDir?: string } {
    const options = mergeOptions(this.settings().defaults, submit.options);
    const base = {
      dataDir: this.dataDir,
      labCommand: this.labCommand(),
      options,
      version: this.version,
      createdAt,
    };
    if (submit.owner.kind === 'run') {
      const dir = this.runs.dir(submit.owner.id);
      return {
        file: path.join(dir, 'slurm.sh'),
        script: {
          ...base,
          title: `run ${submit.owner.id}`,
          jobName: `lgg-${submit.owner.id}`,
          runDirs,
          output: path.join(dir, 'slurm-%A_%a.out'),
          workDir: dir,
        },
      };
    }
    // Slurm's --output can vary only by job and index: task i's log reaches run folder i through a
    // link named i in a folder of this submission (links of an earlier submission stay as they were).
    const sub = path.join(studyDir(this.dataDir, submit.owner.name), `slurm-${stamp(createdAt)}`);
    return {
      file: path.join(sub, 'job.sh'),
      taskDir: sub,
      script: {
        ...base,
        title: `study "${submit.owner.name}" (${runDirs.length} run${runDirs.length === 1 ? '' : 's'})`,
        jobName: `lgg-${submit.owner.name}`,
        runDirs,
        output: path.join(sub, 'task-%a', 'slurm-%A_%a.out'),
        workDir: sub,
      },
    };
  }

  /** Refuses early (before any run folder exists) when Slurm cannot take the submission. */
  async precheck(submit: SubmitOptions): Promise<void> {
    this.labCommand();
    if (submit.dryRun) return;
    await slurm('sbatch', ['--version'], { timeoutMs: 10_000 });
    if (submit.assumeSharedFs) return;
    const partition = mergeOptions(this.settings().defaults, submit.options).partition;
    const check = await checkSharedDataDir(this.dataDir, partition);
    if (!check.ok) throw new LabFailure('not-shared', check.message);
  }

  /**
   * Submits runs (created and queued) as one job array. On any failure the job is cancelled, the
   * script folder removed and the error thrown: the caller removes the run folders it created.
   */
  async submit(ids: string[], submit: SubmitOptions): Promise<SlurmSubmission> {
    const createdAt = new Date();
    const runDirs = ids.map((id) => this.runs.dir(id));
    const input = this.scriptInput(runDirs, submit, createdAt);
    const text = slurmScript(input.script);
    const cleanup = async (): Promise<void> => {
      if (input.taskDir) await fs.rm(input.taskDir, { recursive: true, force: true });
      else await fs.rm(input.file, { force: true });
    };
    let jobId: string | undefined;
    try {
      await fs.mkdir(path.dirname(input.file), { recursive: true });
      if (input.taskDir) {
        for (const [i, dir] of runDirs.entries())
          await fs.symlink(path.relative(input.taskDir, dir), path.join(input.taskDir, `task-${i}`));
      }
      await fs.writeFile(input.file, text, { mode: 0o755 });
      const record = (i: number): SlurmTaskRecord => ({
        kind: 'slurm',
        arrayIndex: i,
        script: input.file,
        options: input.script.options,
      });
      for (const [i, id] of ids.entries()) {
        await fs.rm(path.join(runDirs[i] ?? '', CANCEL_MARKER), { force: true });
        // From here Slurm says what becomes of the run, not the lab process that made it.
        await this.runs.updateStatus(id, { executor: record(i), holder: undefined });
      }
      const command = `sbatch ${shellQuote(input.file)}`;
      if (submit.dryRun) return { script: input.file, command, dryRun: true, runs: ids };
      // Held until every run records its job: a task must not start (and write its status) first.
      const out = await slurm('sbatch', ['--parsable', '--hold', input.file]);
      jobId = out.trim().split(';')[0];
      if (!jobId || !/^\d+$/.test(jobId))
        throw new LabFailure('slurm-failed', `sbatch answered "${out.trim()}" instead of a job id`);
      const submittedAt = new Date().toISOString();
      for (const [i, id] of ids.entries())
        await this.runs.updateStatus(id, { executor: { ...record(i), jobId, submittedAt } });
      await slurm('scontrol', ['release', jobId]);
      this.cache = undefined;
      return { jobId, script: input.file, command, dryRun: false, runs: ids };
    } catch (e) {
      if (jobId) await slurm('scancel', [jobId]).catch(() => undefined);
      await cleanup().catch(() => undefined);
      throw e;
    }
  }

  /**
   * Cancels a run's task: the marker tells the task (at start, or on TERM) that this is a cancel
   * and not a preemption, then scancel. A task that never started is marked cancelled here.
   */
  async cancel(status: RunStatus): Promise<RunStatus> {
    const ex = status.executor;
    if (!ex) throw new LabFailure('invalid-request', `run ${status.id} is not a cluster run`);
    const dir = this.runs.dir(status.id);
    await writeJsonAtomic(path.join(dir, CANCEL_MARKER), { requestedAt: new Date().toISOString() });
    if (ex.jobId) await slurm('scancel', [taskName(ex.jobId, ex.arrayIndex)]);
    this.cache = undefined;
    if (status.state === 'running') return status;
    // A pending task (new, or requeued after an interruption) disappears from Slurm at once; one
    // that just started records the cancel itself.
    const s = ex.jobId ? (await this.query([status])).get(status.id) : undefined;
    if (s && (s.phase === 'running' || s.phase === 'completing')) return status;
    return this.runs.updateStatus(status.id, {
      state: 'cancelled',
      endedAt: new Date().toISOString(),
      error: { code: 'cancelled', message: 'cancelled before its Slurm task started' },
    });
  }

  /** Resubmits the task of a stopped cluster run (resume): a one-task array on the run's own script. */
  async resubmit(status: RunStatus, options?: SlurmOptions): Promise<SlurmSubmission> {
    const ex = status.executor;
    if (!ex) throw new LabFailure('invalid-request', `run ${status.id} is not a cluster run`);
    const s = ex.jobId ? (await this.query([status], true)).get(status.id) : undefined;
    if (s && !SLURM_DONE_PHASES.includes(s.phase) && s.source !== 'none') {
      throw new LabFailure(
        'busy',
        `the Slurm task ${s.task} of run ${status.id} is ${s.state.toLowerCase()}: it resumes the run when it runs (scancel it first to resubmit)`,
      );
    }
    const submit: SubmitOptions = {
      options: options ?? ex.options ?? { sbatchArgs: [] },
      dryRun: false,
      owner: { kind: 'run', id: status.id },
    };
    await this.precheck(submit);
    await this.runs.updateStatus(status.id, { state: 'queued', error: undefined, endedAt: undefined });
    try {
      return await this.submit([status.id], submit);
    } catch (e) {
      await this.runs
        .updateStatus(status.id, { state: status.state, error: toLabError(e) })
        .catch(() => undefined);
      throw e;
    }
  }

  /** Slurm states of cluster runs' tasks, by run id (one squeue call; answers reused for 2 s). */
  async query(statuses: readonly RunStatus[], fresh = false): Promise<Map<string, SlurmTaskState>> {
    const wanted = statuses.filter((s) => s.executor?.jobId !== undefined);
    const names = wanted.map((s) => taskName(s.executor?.jobId ?? '', s.executor?.arrayIndex ?? 0));
    const key = [...names].sort().join(',');
    let states = this.cache?.states;
    if (fresh || !this.cache || this.cache.key !== key || Date.now() - this.cache.at > STATE_TTL_MS) {
      states = await this.tasks.query(names);
      this.cache = { at: Date.now(), key, states };
    }
    const out = new Map<string, SlurmTaskState>();
    for (const [i, s] of wanted.entries()) {
      const name = names[i] ?? '';
      out.set(
        s.id,
        states?.get(name) ?? {
          phase: 'unknown',
          state: '',
          task: name,
          source: 'none',
          checkedAt: new Date().toISOString(),
        },
      );
    }
    return out;
  }

  /**
   * Adds the Slurm view to cluster runs' statuses and fixes status.json where Slurm says a task
   * ended without recording its outcome. Statuses of other runs pass through. A Slurm that cannot
   * be asked leaves the statuses as they are (with the reason as the Slurm state's reason).
   */
  async decorate(statuses: RunStatus[]): Promise<RunStatus[]> {
    // Runs that ended long ago are not asked about (Slurm has mostly forgotten them, and a data
    // folder of many studies would put hundreds of ids on every squeue line).
    const since = Date.now() - RECENT_MS;
    const cluster = statuses.filter(
      (s) =>
        s.executor?.kind === 'slurm' &&
        (!TERMINAL_STATES.includes(s.state) || Date.parse(s.updatedAt) > since),
    );
    if (cluster.length === 0) return statuses;
    let states: Map<string, SlurmTaskState>;
    try {
      states = await this.query(cluster);
    } catch (e) {
      const now = new Date().toISOString();
      const reason = toLabError(e).message;
      return statuses.map((s) =>
        cluster.includes(s)
          ? { ...s, slurm: { phase: 'unknown', state: '', task: '', reason, source: 'none', checkedAt: now } }
          : s,
      );
    }
    const asked = new Set(cluster.map((s) => s.id));
    return Promise.all(
      statuses.map(async (s) => {
        if (!s.executor || !asked.has(s.id)) return s;
        if (!s.executor.jobId) {
          const task = `${path.basename(s.executor.script)}[${s.executor.arrayIndex}]`;
          return {
            ...s,
            slurm: {
              phase: 'not-submitted',
              state: '',
              task,
              source: 'none',
              checkedAt: new Date().toISOString(),
            },
          };
        }
        const slurmState = states.get(s.id);
        if (!slurmState) return s;
        const fixed = await this.reconcile(s, slurmState).catch(() => undefined);
        return { ...(fixed ?? s), slurm: slurmState };
      }),
    );
  }

  private async reconcile(s: RunStatus, state: SlurmTaskState): Promise<RunStatus | undefined> {
    if (TERMINAL_STATES.includes(s.state) && s.state !== 'interrupted') return undefined;
    const dir = this.runs.dir(s.id);
    const marker = await readJsonIfExists(path.join(dir, CANCEL_MARKER)).catch(() => undefined);
    const log = SLURM_DONE_PHASES.includes(state.phase) ? await taskLogTail(dir, state.task) : undefined;
    const patch = reconcileStatus(s, state, log, marker !== undefined);
    if (!patch) return undefined;
    // Re-read under the run's lock: the task may have written its outcome since.
    const now = await this.runs.status(s.id);
    if (now.state !== s.state || now.executor?.jobId !== s.executor?.jobId) return now;
    return this.runs.updateStatus(s.id, patch);
  }
}
