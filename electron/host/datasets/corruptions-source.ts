import path from 'node:path';
import { convertedBatches, decideScale, planInput, type InputPlan } from './array-convert.js';
import { npyFileRef, readArray, type ArrayRef } from './array-ref.js';
import { chooseClassNames } from './class-names.js';
import { corrupt, failure, invalid } from './errors.js';
import { listFolder, type ListOptions } from './fs-list.js';
import { normaliseLabels } from './label-array.js';
import type { ImportSource, OpenContext, SampleImage } from './source.js';
import { countClasses } from './split-assign.js';
import { findCleanDataset } from './suite-link.js';

interface Corruption {
  name: string;
  ref: ArrayRef;
  plan: InputPlan;
  severities: number;
}

const NESTED_IMAGES = 'test_images.npy';
const NESTED_LABELS = 'test_labels.npy';

/** True for a CIFAR-10-C style folder (labels.npy + one .npy per corruption) or an MNIST-C style one (one folder per corruption). */
export async function looksLikeCorruptionFolder(dir: string, o: ListOptions = {}): Promise<boolean> {
  const { files, dirs } = await listFolder(dir, o);
  const npys = files.filter((f) => f.toLowerCase().endsWith('.npy'));
  if (npys.some((f) => f.toLowerCase() === 'labels.npy') && npys.length >= 2) {
    // A plain images.npy + labels.npy pair is a dataset, not a suite.
    return !npys.some((f) => /^(x|images?|imgs|data|inputs|features)\.npy$/i.test(f));
  }
  for (const d of dirs.slice(0, 4)) {
    if ((await listFolder(path.join(dir, d), o)).files.includes(NESTED_IMAGES)) return true;
  }
  return false;
}

function periodic(labels: Int32Array, parts: number): boolean {
  if (labels.length % parts !== 0 || labels.length === 0) return false;
  const n = labels.length / parts;
  for (let i = n; i < labels.length; i++) if (labels[i] !== labels[i % n]) return false;
  return true;
}

function safeStem(name: string, taken: Set<string>): string {
  let s = name.replace(/[^A-Za-z0-9_-]/g, '_') || 'corruption';
  if (s === 'test-y' || s === 'meta') s += '_';
  while (taken.has(s)) s += '_';
  taken.add(s);
  return s;
}

/** Opens a corruption suite (CIFAR-10-C, CIFAR-100-C, MNIST-C) as an evaluation set linked to its clean dataset. */
export async function openCorruptions(dir: string, ctx: OpenContext): Promise<ImportSource> {
  const { files, dirs } = await listFolder(dir, ctx.options);
  const inputs: { name: string; ref: ArrayRef }[] = [];
  let labelsRaw: Int32Array | undefined;
  let numClasses = 0;
  const warnings: string[] = [];
  const checksumFiles: string[] = [];
  const useLabels = async (ref: ArrayRef): Promise<void> => {
    const norm = normaliseLabels(ref.label, ref.header, await readArray(ref));
    if (norm.warning) warnings.push(norm.warning);
    if (
      labelsRaw &&
      (labelsRaw.length !== norm.labels.length || labelsRaw.some((v, i) => v !== norm.labels[i]))
    ) {
      throw corrupt(ref.label, 'labels differ from those of the other corruptions');
    }
    labelsRaw ??= norm.labels;
    numClasses = Math.max(numClasses, norm.numClasses);
  };
  if (files.some((f) => f.toLowerCase() === 'labels.npy')) {
    for (const f of files.filter((n) => n.toLowerCase().endsWith('.npy'))) {
      const ref = await npyFileRef(path.join(dir, f));
      checksumFiles.push(f);
      if (f.toLowerCase() === 'labels.npy') await useLabels(ref);
      else inputs.push({ name: f.replace(/\.npy$/i, ''), ref });
    }
  } else {
    for (const d of dirs) {
      const sub = await listFolder(path.join(dir, d), ctx.options);
      if (!sub.files.includes(NESTED_IMAGES)) continue;
      if (!sub.files.includes(NESTED_LABELS))
        throw invalid(path.join(d, NESTED_IMAGES), `no ${NESTED_LABELS} beside it`);
      inputs.push({ name: d, ref: await npyFileRef(path.join(dir, d, NESTED_IMAGES)) });
      await useLabels(await npyFileRef(path.join(dir, d, NESTED_LABELS)));
      checksumFiles.push(`${d}/${NESTED_IMAGES}`, `${d}/${NESTED_LABELS}`);
    }
  }
  if (!labelsRaw || inputs.length === 0)
    throw failure('unsupported-format', `${dir}: no corruption arrays with labels`);
  const L = labelsRaw.length;
  const corruptions: Corruption[] = [];
  let n: number | undefined;
  const taken = new Set<string>();
  for (const { name, ref } of inputs) {
    ctx.job.checkCancelled();
    const plan = planInput(ref, ctx.options);
    if (plan.kind !== 'images')
      throw invalid(ref.label, 'a corruption must be an image array (N, H, W[, C])');
    const severities = plan.count === 5 * L ? 5 : plan.count === L ? (periodic(labelsRaw, 5) ? 5 : 1) : 0;
    if (severities === 0)
      throw corrupt(ref.label, `${plan.count} images for ${L} labels (expected ${L} or ${5 * L})`);
    const perSeverity = plan.count / severities;
    if (n !== undefined && perSeverity !== n)
      throw corrupt(ref.label, `${perSeverity} images per severity, others have ${n}`);
    n = perSeverity;
    const first = corruptions[0];
    if (first && first.plan.shape.join() !== plan.shape.join())
      throw invalid(ref.label, `image shape (${plan.shape.join(', ')}) differs from ${first.ref.label}`);
    await decideScale(ref, plan, ctx.job);
    corruptions.push({ name: safeStem(name, taken), ref, plan, severities });
  }
  const perSeverity = n ?? 0;
  const labels = labelsRaw.slice(0, perSeverity);
  const shape = (corruptions[0] as Corruption).plan.shape;
  const suiteName = path.basename(dir);
  const clean = findCleanDataset(await ctx.existing(), suiteName, shape, numClasses, ctx.options.linkTo);
  if (clean)
    warnings.push(`linked to the clean dataset "${clean.name}" (${clean.id}); its mean/std are used`);
  else
    warnings.push(
      'no matching clean dataset found (import it first, or set linkTo); mean/std computed on the suite',
    );
  const classNames = chooseClassNames(
    Math.max(numClasses, clean?.classNames.length ?? 0),
    clean?.classNames,
    ctx.options.classNames,
  );
  const [h = 0, w = 0, c = 1] = shape;
  const per = h * w * c;

  return {
    format: 'corruptions',
    name: suiteName,
    kind: 'corruptions',
    shape,
    dtype: corruptions[0]?.ref.header.dtype ?? 'uint8',
    classNames,
    splits: [{ name: 'test', count: perSeverity, countsPerClass: countClasses(labels, classNames.length) }],
    corruptions: corruptions.map((k) => ({ name: k.name, severities: k.severities })),
    ...(clean ? { linkedTo: clean.id, presetStats: { mean: clean.mean, std: clean.std } } : {}),
    warnings: [...warnings, ...corruptions.flatMap((k) => k.plan.warnings)],
    files: checksumFiles,
    root: dir,
    async samples(count): Promise<SampleImage[]> {
      // First examples of the first corruption, at its lowest severity.
      const k = corruptions[0] as Corruption;
      const out: SampleImage[] = [];
      for await (const x of convertedBatches(k.ref, k.plan, count)) {
        for (let i = 0; i * per < x.length && out.length < count; i++) {
          out.push({
            height: h,
            width: w,
            channels: c,
            label: labels[out.length] ?? 0,
            pixels: Array.from(x.subarray(i * per, (i + 1) * per)),
          });
        }
      }
      return out;
    },
    async emit(writer, job): Promise<void> {
      job.phase('writing');
      await writer.suiteLabelsFile(labels);
      for (const k of corruptions) {
        const sink = await writer.corruption(k.name, k.severities, perSeverity);
        for await (const x of convertedBatches(k.ref, k.plan)) {
          await sink.write(x, new Int32Array(x.length / per));
          await job.breathe();
        }
      }
    },
  };
}
