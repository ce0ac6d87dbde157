import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import {
  ExperimentSpecSchema,
  METHODS_BY_KIND,
  SPEC_VERSION,
  type ExperimentSpec,
  type ExperimentKind,
} from './experiments.js';
import type { ModelSpec } from './model.js';
import { StudySpecSchema, type StudySpec } from './study.js';

export * from './model.js';
export * from './training.js';
export * from './evaluation.js';
export * from './experiments.js';
export * from './study.js';

/** One validation problem: a dotted path into the spec (e.g. `training.lr`) and a message. */
export interface SpecIssue {
  /** Dotted path of the offending field; empty for the whole document. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

function flatten(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): SpecIssue[] {
  return issues.flatMap((i) => {
    const at = [...prefix, ...i.path];
    // "Invalid input" says nothing about a union (a teacher `{ run }` or `{ checkpoint }`): report
    // the alternative that came closest, with its own paths and messages.
    if (i.code === 'invalid_union' && i.errors.length > 0) {
      const best = i.errors.reduce((a, b) => (b.length < a.length ? b : a));
      if (best.length > 0) return flatten(best, at);
    }
    return [{ path: at.map(String).join('.'), message: i.message }];
  });
}

/** Formats zod issues as `path: message` items (a failed union as its closest alternative's issues). */
export function specIssues(error: z.ZodError): SpecIssue[] {
  return flatten(error.issues, []);
}

/** One line per issue, for terminals and error banners. */
export function formatIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => `${i.path || '(spec)'}: ${i.message}`).join('\n');
}

function migrate(input: unknown): unknown {
  // Version 1 is the first format; future versions add steps here (v1 → v2 → …).
  if (input !== null && typeof input === 'object' && 'version' in input) {
    const v = input.version;
    if (typeof v === 'number' && v > SPEC_VERSION) {
      return { ...input, version: v }; // left for zod to reject with a precise path
    }
  }
  return input;
}

/** A spec as stored in a run folder's spec.json: migrated from older versions, then validated. */
export const ExperimentSpecFileSchema = z.preprocess(migrate, ExperimentSpecSchema);

/** Validates (and migrates) an experiment spec; errors carry every issue with its path. */
export function parseExperimentSpec(input: unknown): Result<ExperimentSpec> {
  const r = ExperimentSpecSchema.safeParse(migrate(input));
  if (!r.success) {
    const issues = specIssues(r.error);
    return err('invalid-spec', `Invalid experiment spec:\n${formatIssues(issues)}`, issues);
  }
  const spec = r.data;
  const issues: SpecIssue[] = [];
  if (spec.kind === 'robust' && spec.parseval.network && spec.model.arch !== 'preact-resnet18')
    issues.push({
      path: 'parseval.network',
      message: `the Parseval network is a variant of preact-resnet18; ${spec.model.arch} has none (set it to false)`,
    });
  if (spec.kind === 'geometry' && spec.method === 'smoothness' && spec.training.validationFraction === 0)
    issues.push({
      path: 'training.validationFraction',
      message:
        'a smoothness run chooses its classifier (k-NN or class mean) on a validation split held out of the training set; set it above 0 (e.g. 0.1)',
    });
  if (issues.length > 0)
    return err('invalid-spec', `Invalid experiment spec:\n${formatIssues(issues)}`, issues);
  return ok(spec);
}

/**
 * The network a run trains: its model spec, switched to the Parseval variant when a robustness run
 * of a Parseval method asks for the Parseval network (`parseval.network`). This is what checkpoints
 * record, so evaluation and teachers rebuild the same network.
 */
export function modelSpecOf(spec: ExperimentSpec): ModelSpec {
  const m = spec.model;
  const parsevalMethod = spec.kind === 'robust' && spec.method.startsWith('parseval');
  if (m.arch === 'preact-resnet18' && spec.kind === 'robust' && spec.parseval.network && parsevalMethod)
    return { ...m, parseval: true };
  return m;
}

/** A short architecture label, e.g. `WRN-28-1`, `CNN×0.5`, `PreActResNet18 Parseval`. */
export function modelLabel(m: ModelSpec): string {
  switch (m.arch) {
    case 'wrn':
      return `WRN-${m.depth}-${m.width}`;
    case 'mlp':
      return `MLP ${m.hidden.join('-')}`;
    case 'ref-cnn':
      return m.width === 1 ? 'CNN' : `CNN×${m.width}`;
    case 'preact-resnet18':
      return `PreActResNet18${m.width === 1 ? '' : `×${m.width}`}${m.parseval ? ' Parseval' : ''}`;
  }
}

/** Validates a study spec, including that every method belongs to the base kind. */
export function parseStudySpec(input: unknown): Result<StudySpec> {
  const r = StudySpecSchema.safeParse(input);
  if (!r.success) {
    const issues = specIssues(r.error);
    return err('invalid-spec', `Invalid study spec:\n${formatIssues(issues)}`, issues);
  }
  const allowed: readonly string[] = METHODS_BY_KIND[r.data.base.kind];
  const bad = r.data.methods
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => !allowed.includes(m))
    .map(({ m, i }) => ({
      path: `methods.${i}`,
      message: `"${m}" is not a ${r.data.base.kind} method (one of ${allowed.join(', ')})`,
    }));
  if (bad.length > 0) return err('invalid-spec', `Invalid study spec:\n${formatIssues(bad)}`, bad);
  return ok(r.data);
}

/** Expands a study into its run specs: methods × seeds, each named and tagged with the study. */
export function expandStudy(study: StudySpec): ExperimentSpec[] {
  const methods = study.methods.length > 0 ? study.methods : [study.base.method];
  const out: ExperimentSpec[] = [];
  for (const method of methods) {
    for (const seed of study.seeds) {
      const spec = {
        ...study.base,
        method,
        name: `${study.name} · ${method} · seed ${seed}`,
        study: study.name,
        training: { ...study.base.training, seed },
      };
      const parsed = parseExperimentSpec(spec);
      if (!parsed.ok) throw new Error(parsed.error.message);
      out.push(parsed.value);
    }
  }
  return out;
}

/** A default display name for a run of this spec. */
export function defaultRunName(spec: ExperimentSpec): string {
  return `${spec.kind} · ${spec.method} · ${modelLabel(modelSpecOf(spec))} · ${spec.dataset} · seed ${spec.training.seed}`;
}

/** True when `kind` is an experiment kind. */
export function isExperimentKind(kind: string): kind is ExperimentKind {
  return kind in METHODS_BY_KIND;
}
