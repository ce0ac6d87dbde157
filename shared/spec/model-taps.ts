import { LabFailure } from '../result.js';
import type { ModelSpec, TapSelection } from './model.js';

/** Kind of a tapped representation. */
export type TapKind = 'stage' | 'relu' | 'embedding' | 'block';

/** A named representation a loss or metric can read from one forward pass. */
export interface TapInfo {
  /** Unique name within the model, e.g. `stage2`, `relu.7`. */
  name: string;
  /**
   * `stage`: a stage output (GKD's default pairs); `relu`: a ReLU output; `embedding`: the last
   * hidden layer; `block`: the output of a building block (a residual block; for networks without
   * residual blocks, each conv → ReLU → pool unit and hidden dense layer), where the authors'
   * test-time dropout acts.
   */
  kinds: TapKind[];
}

/** Something with taps: a built network, or the tap list of a spec. */
export interface Tapped {
  /** Every tap, input side first. */
  readonly taps: readonly TapInfo[];
  /** Readable name for messages. */
  readonly description: string;
}

const relu = (i: number): TapInfo => ({ name: `relu.${i}`, kinds: ['relu'] });

/**
 * The taps of the network a spec describes, input side first, exactly as the engine's model builds
 * them (a test holds the two together): what lets the host check tap names and layer pairs before
 * a run exists, without TF.js.
 */
export function modelTaps(spec: ModelSpec): TapInfo[] {
  switch (spec.arch) {
    case 'mlp':
      return spec.hidden.map((_, i) => ({
        name: `hidden${i + 1}`,
        kinds:
          i === spec.hidden.length - 1 ? ['stage', 'relu', 'embedding', 'block'] : ['stage', 'relu', 'block'],
      }));
    case 'ref-cnn':
      return [
        { name: 'relu1', kinds: ['relu'] },
        { name: 'block1', kinds: ['stage', 'block'] },
        { name: 'relu2', kinds: ['relu'] },
        { name: 'block2', kinds: ['stage', 'block'] },
        { name: 'hidden', kinds: ['stage', 'relu', 'embedding', 'block'] },
      ];
    case 'wrn': {
      const n = (spec.depth - 4) / 6;
      const taps: TapInfo[] = [relu(0)];
      let r = 1;
      for (let s = 0; s < 3; s++) {
        // A post-activation block ends in its second ReLU: that output is the block's.
        for (let b = 0; b < 2 * n; b++)
          taps.push(b % 2 === 1 ? { name: `relu.${r++}`, kinds: ['relu', 'block'] } : relu(r++));
        taps.push({ name: `stage${s + 1}`, kinds: s === 2 ? ['stage', 'embedding'] : ['stage'] });
      }
      return taps;
    }
    case 'preact-resnet18': {
      const taps: TapInfo[] = [];
      let r = 0;
      let k = 0;
      for (let s = 0; s < 4; s++) {
        for (let b = 0; b < 2; b++)
          taps.push(relu(r++), relu(r++), { name: `block.${k++}`, kinds: ['block'] });
        taps.push({ name: `stage${s + 1}`, kinds: ['stage'] });
      }
      taps.push(relu(r), { name: 'embedding', kinds: ['embedding'] });
      return taps;
    }
    default: {
      const unknown: never = spec;
      throw new Error(`unknown architecture ${JSON.stringify(unknown)}`);
    }
  }
}

/** Tap names of a kind, in order. */
export function tapNamesOfKind(model: Tapped, kind: TapKind): string[] {
  return model.taps.filter((t) => t.kinds.includes(kind)).map((t) => t.name);
}

/** Resolves a tap selection (`stages`, `relu` or names) against a model, failing with the available names. */
export function resolveTapSelection(model: Tapped, selection: TapSelection, what: string): string[] {
  if (selection === 'stages') return tapNamesOfKind(model, 'stage');
  if (selection === 'relu') return tapNamesOfKind(model, 'relu');
  const known = new Set(model.taps.map((t) => t.name));
  const missing = selection.filter((s) => !known.has(s));
  if (missing.length > 0) {
    throw new LabFailure(
      'invalid-spec',
      `${what}: ${model.description} has no tap ${missing.map((m) => `"${m}"`).join(', ')} (available: ${[...known].join(', ')})`,
    );
  }
  return [...selection];
}

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
export function resolveLayerPairs(
  selection: 'stages' | readonly LayerPair[],
  teacher: Tapped,
  student: Tapped,
): LayerPair[] {
  if (selection === 'stages') {
    const t = tapNamesOfKind(teacher, 'stage');
    const s = tapNamesOfKind(student, 'stage');
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
  resolveTapSelection(
    teacher,
    selection.map((p) => p.teacher),
    'pairs: the teacher',
  );
  resolveTapSelection(
    student,
    selection.map((p) => p.student),
    'pairs: the student',
  );
  return selection.map((p) => ({ teacher: p.teacher, student: p.student }));
}
