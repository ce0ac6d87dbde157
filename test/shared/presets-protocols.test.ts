import { describe, expect, it } from 'vitest';
import {
  checkOrdering,
  formatReferenceValue,
  PAPER_REFERENCES,
  runReference,
} from '../../shared/paper-reference.js';
import { findPreset, PRESETS, presetSpec } from '../../shared/presets.js';
import type { ROBUST_METHODS } from '../../shared/spec/index.js';
import {
  EvaluationSchema,
  modelSpecOf,
  parseExperimentSpec,
  PROTOCOLS,
  runsProtocol,
  type SpecOf,
} from '../../shared/spec/index.js';

describe('presets', () => {
  it('every preset parses and records its own id (so a run knows the paper it is compared with)', () => {
    for (const p of PRESETS) {
      const spec = presetSpec(p);
      expect(spec.preset, p.id).toBe(p.id);
      expect(spec.kind).toBe(p.kind);
    }
  });

  it('cifar10-robust-paper: the Parseval network for P and P+R only, the recipe constants, the authors’ sizes', () => {
    const spec = presetSpec(findPreset('cifar10-robust-paper')!) as SpecOf<'robust'>;
    const arch = (method: (typeof ROBUST_METHODS)[number]): unknown => modelSpecOf({ ...spec, method });
    expect(arch('vanilla')).toEqual({ arch: 'preact-resnet18', width: 1, parseval: false });
    expect(arch('laplacian')).toEqual({ arch: 'preact-resnet18', width: 1, parseval: false });
    expect(arch('parseval')).toEqual({ arch: 'preact-resnet18', width: 1, parseval: true });
    expect(arch('parseval+laplacian')).toEqual({ arch: 'preact-resnet18', width: 1, parseval: true });
    expect(spec.training.normalizeConstants).toEqual({
      mean: [0.4914, 0.4822, 0.4465],
      std: [0.2023, 0.1994, 0.201],
    });
    const ev = spec.evaluation;
    expect(ev.subset).toBeNull(); // the whole test split: 10,000 CIFAR-10 images
    expect(ev.gaussian).toEqual({ epsilons: [0.2], sigma: 0.5, draws: 40 });
    expect(ev.dropoutDraws).toBe(40);
    expect(ev.fgsm?.snrDb).toEqual([33]);
    expect(ev.pgd).toEqual([{ epsilon: 0.01, step: 0.002, iterations: 20, randomStart: false }]);
    expect(ev.deepfool?.every).toBe(10);
    for (const p of PROTOCOLS) expect(runsProtocol(ev, p), p).toBe(true);
    expect(findPreset('cifar10-robust-paper')!.description).toMatch(
      /Parseval network.*10,000 test images, 40/,
    );
  });

  it('quick presets stay quick and say their sizes', () => {
    const robust = presetSpec(findPreset('mnist-robust-quick')!) as SpecOf<'robust'>;
    expect(robust.evaluation.subset).toBe(500);
    expect(robust.evaluation.gaussian?.draws).toBe(2);
    expect(findPreset('mnist-robust-quick')!.description).toMatch(
      /500 test images \(DeepFool on 250\) with 2 noise and dropout draws/,
    );
    const geometry = presetSpec(findPreset('mnist-geometry-quick')!) as SpecOf<'geometry'>;
    expect(geometry.training.validationFraction).toBeGreaterThan(0);
    expect(findPreset('mnist-geometry-quick')!.description).toMatch(/20,000 training images/);
  });

  it('cifar10-geometry-paper uses the guarded RBF kernel and a validation split', () => {
    const spec = presetSpec(findPreset('cifar10-geometry-paper')!) as SpecOf<'geometry'>;
    expect([spec.similarity, spec.rbfScale]).toEqual(['rbf', 'mean-distance']);
    expect(spec.training.validationFraction).toBe(0.05);
  });

  it('refuses the Parseval network on an architecture that has none, naming the field', () => {
    const r = parseExperimentSpec({
      kind: 'robust',
      model: { arch: 'ref-cnn' },
      parseval: { network: true },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/parseval\.network: .*preact-resnet18/);
  });
});

describe('the paper beside a run', () => {
  it('fills the run’s own values beside the published ones, for the run’s method only', () => {
    const ref = runReference('cifar10-robust-paper', 'laplacian', {
      clean: 0.9,
      'pgd-any-iterate@0.01×20': 0.05,
      testAcc: 0.91,
    })!;
    expect(ref.rows.map((r) => r.protocol)).toContain('dropout-blocks');
    const clean = ref.rows.find((r) => r.metric === 'clean')!;
    expect([clean.run, clean.paper]).toEqual([0.9, 0.869]);
    expect(ref.rows.find((r) => r.metric === 'gaussian@0.2')!.run).toBeNull();
    expect(ref.rows.find((r) => r.metric === 'dropout-blocks@0.4')!.note).toMatch(/average both rates/);
    expect(runReference('mnist-robust-quick', 'laplacian', {})).toBeUndefined();
    expect(runReference(undefined, 'laplacian', {})).toBeUndefined();
    // Geometry: the paper's test errors as accuracies, per method.
    expect(
      runReference('cifar10-geometry-paper', 'smoothness', {})!.rows.map((r) => [r.metric, r.paper]),
    ).toEqual([
      ['knn1', 0.9437],
      ['knn10', 0.9452],
    ]);
    expect(formatReferenceValue(4.33e-5, 'raw')).toBe('4.33e-5');
    expect(formatReferenceValue(0.881, 'percent')).toBe('88.10');
  });

  it('names only protocols and metrics the suite produces', () => {
    const keys = PAPER_REFERENCES['cifar10-robust-paper']!.values.map((v) => v.protocol);
    for (const p of keys) expect([...PROTOCOLS, 'clean'], p).toContain(p);
  });

  it('checks an ordering on per-method means', () => {
    const o = PAPER_REFERENCES['cifar10-gkd-paper']!.orderings[0]!;
    const means: Record<string, number> = { gkd: 0.95, student: 0.92 };
    expect(checkOrdering(o, (m) => means[m]).verdict).toBe('holds');
    expect(checkOrdering(o, (m) => ({ gkd: 0.9, student: 0.92 })[m]).verdict).toBe('fails');
    expect(checkOrdering(o, (m) => ({ gkd: 0.9 })[m]).verdict).toBe('untested');
  });

  it('an evaluation selects protocols by name, and an item without parameters is skipped', () => {
    const ev = EvaluationSchema.parse({ protocols: ['pgd-any-iterate', 'dropout-blocks'], dropout: [] });
    expect(PROTOCOLS.filter((p) => runsProtocol(ev, p))).toEqual(['pgd-any-iterate']);
    expect(EvaluationSchema.safeParse({ protocols: ['pgd'] }).success).toBe(false);
  });
});
