import type { SourceFormat } from '../../../shared/dataset-types.js';
import { convertedBatches, decideScale, planInput, type InputPlan } from './array-convert.js';
import { readArray, type ArrayRef } from './array-ref.js';
import { assignRoles } from './array-roles.js';
import { chooseClassNames } from './class-names.js';
import { corrupt, invalid } from './errors.js';
import { checkLabelRange, declaredClasses, normaliseLabels } from './label-array.js';
import type { ImportSource, OpenContext, SampleImage, SourceSplit } from './source.js';
import { countClasses, planPool, SplitRouter } from './split-assign.js';
import type { ExampleSink } from './split-writer.js';

interface PairPart {
  split: 'train' | 'test';
  x: ArrayRef;
  plan: InputPlan;
  labels: Int32Array;
}

/** What a `.npy` folder or `.npz` archive provides. */
export interface ArraySet {
  /** `npy` or `npz`. */
  format: SourceFormat;
  /** Proposed name. */
  name: string;
  /** Arrays by key. */
  arrays: Map<string, ArrayRef>;
  /** Remarks gathered while listing (skipped arrays…). */
  warnings?: string[];
  /** Class names found beside the arrays (classes.txt), if any. */
  classNames?: string[];
  /** The file they were read from. */
  classNamesFrom?: string;
  /** Checksum inputs. */
  files: string[];
  /** Checksum root. */
  root: string;
}

/**
 * Opens NumPy inputs/labels pairs (train and test, or one pool split by seed): labels are read whole
 * and normalised, inputs are checked by header and (for float images) one range scan.
 */
export async function openArrayPairs(set: ArraySet, ctx: OpenContext): Promise<ImportSource> {
  const roles = assignRoles([...set.arrays.keys()], ctx.options, set.root);
  const warnings: string[] = [...(set.warnings ?? [])];
  const parts: PairPart[] = [];
  const pairs: ['train' | 'test', string | undefined, string | undefined][] =
    roles.trainX !== undefined
      ? [
          ['train', roles.trainX, roles.trainY],
          ['test', roles.testX, roles.testY],
        ]
      : [['train', roles.x, roles.y]];
  let numClasses = 0;
  for (const [split, xKey, yKey] of pairs) {
    if (xKey === undefined || yKey === undefined) continue;
    const x = set.arrays.get(xKey);
    const y = set.arrays.get(yKey);
    if (!x || !y) continue;
    const plan = planInput(x, ctx.options);
    const norm = normaliseLabels(y.label, y.header, await readArray(y));
    if (norm.warning) warnings.push(norm.warning);
    // Declared classes bound the labels: a stray 255 must not invent 246 empty classes.
    const declared = declaredClasses(set, ctx.options.classNames);
    if (declared) checkLabelRange(y.label, norm.labels, declared.names.length, declared.by);
    if (norm.labels.length !== plan.count)
      throw corrupt(x.label, `${plan.count} inputs but ${norm.labels.length} labels in ${y.label}`);
    await decideScale(x, plan, ctx.job);
    warnings.push(...plan.warnings);
    numClasses = Math.max(numClasses, norm.numClasses);
    parts.push({ split, x, plan, labels: norm.labels });
  }
  const first = parts[0] as PairPart;
  for (const p of parts) {
    if (p.plan.kind !== first.plan.kind || p.plan.shape.join() !== first.plan.shape.join()) {
      throw invalid(
        p.x.label,
        `examples of shape (${p.plan.shape.join(', ')}) differ from the train ones (${first.plan.shape.join(', ')})`,
      );
    }
  }
  const classNames = chooseClassNames(numClasses, set.classNames, ctx.options.classNames);
  const pool = parts.length === 1 ? planPool(first.labels, classNames.length, ctx.options) : undefined;
  if (pool)
    warnings.push(
      `no separate test arrays; ${pool.splits[1]?.count ?? 0} examples held out as the test split (seed ${ctx.options.splitSeed ?? 0})`,
    );
  const splits: SourceSplit[] =
    pool?.splits ??
    parts.map((p) => ({
      name: p.split,
      count: p.labels.length,
      countsPerClass: countClasses(p.labels, classNames.length),
    }));
  const per = first.plan.shape.reduce((a, b) => a * b, 1);

  return {
    format: set.format,
    name: set.name,
    kind: first.plan.kind,
    shape: first.plan.shape,
    dtype: first.x.header.dtype,
    classNames,
    splits,
    warnings,
    files: set.files,
    root: set.root,
    async samples(count): Promise<SampleImage[]> {
      if (first.plan.kind !== 'images') return [];
      const [h = 0, w = 0, c = 1] = first.plan.shape;
      const out: SampleImage[] = [];
      for await (const x of convertedBatches(first.x, first.plan, count)) {
        for (let i = 0; i * per < x.length && out.length < count; i++) {
          out.push({
            height: h,
            width: w,
            channels: c,
            label: first.labels[out.length] ?? 0,
            pixels: Array.from(x.subarray(i * per, (i + 1) * per)),
          });
        }
      }
      return out;
    },
    async emit(writer, job): Promise<void> {
      job.phase('writing');
      const router = pool ? await SplitRouter.open(writer, pool, per) : undefined;
      for (const p of parts) {
        const sink: ExampleSink = router ?? (await writer.split(p.split, p.labels.length));
        let at = 0;
        for await (const x of convertedBatches(p.x, p.plan)) {
          const k = x.length / per;
          await sink.write(x, p.labels.subarray(at, at + k));
          at += k;
          await job.breathe();
        }
      }
    },
  };
}
