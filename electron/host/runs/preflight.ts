import type { DatasetMeta } from '../../../shared/dataset-types.js';
import { LabFailure } from '../../../shared/result.js';
import type { ExperimentSpec, SpecOf } from '../../../shared/spec/experiments.js';
import { modelLabel, runNormalization } from '../../../shared/spec/index.js';
import {
  modelTaps,
  resolveLayerPairs,
  resolveTapSelection,
  type Tapped,
} from '../../../shared/spec/model-taps.js';
import { teacherMismatch } from '../../../shared/teacher-compat.js';
import { damageOf, findCheckpointFolder, RunFolderDamage } from '../../common/run-folder/index.js';
import { describeTeacher, teacherFolder } from '../../common/teacher-source.js';
import type { LabHost } from '../lab-host.js';

/** Distillation methods whose objective reads the layer pairs (the others only need logits). */
const PAIRED: ReadonlySet<string> = new Set(['rkd', 'sp', 'gkd']);

const refuse = (message: string): never => {
  throw new LabFailure('invalid-spec', message);
};

/**
 * Everything about a spec that can be checked before its run folder exists, so a refused spec
 * leaves no failed run behind: the dataset (present, trainable, images for convolutional
 * networks), the tap names the spec uses, a robustness run's corruption suite, and a distillation
 * teacher (present, completed, an intact checkpoint whose network reads this dataset's inputs and
 * has the layers the pairs name). The engine checks the same again when it runs (a run folder may
 * be started elsewhere), from the same shared functions.
 */
export async function preflightRun(host: LabHost, spec: ExperimentSpec): Promise<void> {
  await host.ensureDataset(spec.dataset);
  const data = await host.datasets.get(spec.dataset);
  if (data.kind === 'corruptions')
    refuse(`dataset: "${spec.dataset}" is a corruption suite: it evaluates, it does not train`);
  if (data.kind === 'tabular' && spec.model.arch !== 'mlp')
    refuse(`model.arch: ${spec.model.arch} needs images; ${spec.dataset} is tabular (use mlp)`);
  runNormalization(spec.training, data, data.shape); // constants for the dataset's channel count
  const student: Tapped = { taps: modelTaps(spec.model), description: modelLabel(spec.model) };
  resolveTapSelection(student, spec.probeTaps, 'probeTaps');
  if (spec.kind === 'robust') await checkRobust(host, spec, data, student);
  if (spec.kind === 'distill') await checkTeacher(host, spec, data, student);
}

async function checkRobust(
  host: LabHost,
  spec: SpecOf<'robust'>,
  data: DatasetMeta,
  student: Tapped,
): Promise<void> {
  const taps = resolveTapSelection(student, spec.laplacian.taps, 'laplacian.taps');
  const regularised = spec.method === 'laplacian' || spec.method === 'parseval+laplacian';
  if (regularised && taps.length < 2)
    refuse(
      `laplacian.taps: the regulariser compares consecutive layers and needs at least 2 taps; ${student.description} gives ${taps.length} (${taps.join(', ') || 'none'})`,
    );
  const suite = spec.evaluation.corruptions?.suite;
  if (suite === undefined || suite === null || suite === 'auto') return;
  const meta = await host.datasets.get(suite).catch((e: unknown) => {
    if (e instanceof LabFailure && e.code === 'not-found')
      refuse(`evaluation.corruptions.suite: no dataset "${suite}"`);
    throw e;
  });
  if (meta.kind !== 'corruptions')
    refuse(`evaluation.corruptions.suite: dataset "${suite}" is not a corruption suite`);
  if (meta.shape.join() !== data.shape.join())
    refuse(
      `evaluation.corruptions.suite: "${suite}" has images of shape (${meta.shape.join(', ')}), the run's dataset (${data.shape.join(', ')})`,
    );
}

async function checkTeacher(
  host: LabHost,
  spec: SpecOf<'distill'>,
  data: DatasetMeta,
  student: Tapped,
): Promise<void> {
  const source = spec.teacher;
  const dataDir = host.options.dataDir;
  const folder = teacherFolder(source, dataDir);
  const what = describeTeacher(source, dataDir);
  if ('checkpoint' in source) await host.checkPath(folder, 'teacher.checkpoint');
  else {
    const status = await host.runs.status(source.run).catch((e: unknown) => {
      if (e instanceof LabFailure && e.code === 'not-found') refuse(`teacher: no run "${source.run}"`);
      throw e;
    });
    if (status.state !== 'completed')
      refuse(`teacher: run ${status.id} is ${status.state}; a teacher must have completed`);
  }
  let found;
  try {
    found = await findCheckpointFolder(folder, 'checksum');
  } catch (e) {
    const d = damageOf(e);
    throw d ? new RunFolderDamage(d.file, d.reason, `${what}: `) : e;
  }
  if (!found)
    throw new LabFailure(
      'not-found',
      `${what}: ${folder} is not an LGG Lab checkpoint (a folder with model.json, or a run folder with checkpoints/)`,
    );
  const mismatch = teacherMismatch(
    found.meta,
    {
      inputShape: data.shape,
      classes: data.classNames.length,
      // The run's own normalisation: the recipe's constants when the spec names them.
      normalization: runNormalization(spec.training, data, data.shape),
    },
    what,
  );
  if (mismatch) refuse(mismatch);
  const teacher: Tapped = {
    taps: modelTaps(found.meta.model),
    description: modelLabel(found.meta.model),
  };
  try {
    resolveLayerPairs(spec.pairs, teacher, student);
  } catch (e) {
    // Stage counts that differ only matter to methods that read the pairs (as in the engine).
    if (PAIRED.has(spec.method) || spec.pairs !== 'stages') throw e;
  }
}
