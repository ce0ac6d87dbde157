import { LabFailure } from '../../../shared/result.js';
import type { SpecOf } from '../../../shared/spec/experiments.js';
import { tapsOfKind, type Model } from '../models/model.js';

/** A teacher tap paired with a student tap. */
export interface LayerPair {
  /** Tap name in the teacher. */
  teacher: string;
  /** Tap name in the student. */
  student: string;
}

/**
 * Resolves the layer pairs of a distillation spec: `stages` pairs teacher stage k with student
 * stage k (the counts must agree); explicit pairs must name existing taps of each network.
 */
export function resolvePairs(
  selection: SpecOf<'distill'>['pairs'],
  teacher: Model,
  student: Model,
): LayerPair[] {
  if (selection === 'stages') {
    const t = tapsOfKind(teacher, 'stage');
    const s = tapsOfKind(student, 'stage');
    if (t.length !== s.length || t.length === 0) {
      throw new LabFailure(
        'invalid-spec',
        `pairs: "stages" pairs stage k of the teacher with stage k of the student, but the teacher (${teacher.description}) ` +
          `has ${t.length} stage${t.length === 1 ? '' : 's'} (${t.join(', ')}) and the student (${student.description}) has ` +
          `${s.length} (${s.join(', ')}); list the pairs explicitly`,
      );
    }
    return t.map((name, i) => ({ teacher: name, student: s[i] ?? '' }));
  }
  const check = (model: Model, names: string[], who: string): void => {
    const known = new Set(model.taps.map((t) => t.name));
    const missing = names.filter((n) => !known.has(n));
    if (missing.length > 0) {
      throw new LabFailure(
        'invalid-spec',
        `pairs: the ${who} (${model.description}) has no tap ${missing.map((m) => `"${m}"`).join(', ')} (available: ${[...known].join(', ')})`,
      );
    }
  };
  check(
    teacher,
    selection.map((p) => p.teacher),
    'teacher',
  );
  check(
    student,
    selection.map((p) => p.student),
    'student',
  );
  return selection.map((p) => ({ teacher: p.teacher, student: p.student }));
}
