import { describe, expect, it } from 'vitest';
import { TrainingSchema, type ModelSpec } from '../../shared/spec';
import { modelCost, epochSeconds, runThreads } from '../../renderer/src/form/estimate';
import { groupsOf } from '../../renderer/src/form/groups';
import { fieldsOf, getAt, setAt, type Field } from '../../renderer/src/form/schema-fields';

function find(fields: Field[], path: string): Field | undefined {
  for (const f of fields) {
    if (f.path.join('.') === path) return f;
    const nested =
      f.kind === 'object' ? f.fields : f.kind === 'variant' ? Object.values(f.variants).flat() : [];
    const hit = find(nested, path);
    if (hit) return hit;
  }
  return undefined;
}

describe('form built from the zod schemas', () => {
  it('reads kinds, bounds, enums, nullables and unions', () => {
    const fields = fieldsOf(TrainingSchema, ['training']);
    expect(find(fields, 'training.batchSize')).toMatchObject({
      kind: 'number',
      int: true,
      max: 8192,
      label: 'batch size',
    });
    expect(find(fields, 'training.nesterov')).toMatchObject({ kind: 'boolean' });
    expect(find(fields, 'training.stepsPerEpoch')).toMatchObject({
      kind: 'number',
      nullable: true,
      int: true,
    });
    const schedule = find(fields, 'training.schedule');
    expect(schedule?.kind).toBe('variant');
    if (schedule?.kind === 'variant')
      expect(Object.keys(schedule.variants)).toEqual(['constant', 'multistep', 'cosine']);
    expect(find(fields, 'training.schedule.milestones')).toMatchObject({ kind: 'numbers' });
    expect(find(fields, 'training.augment.flip')).toMatchObject({ kind: 'boolean' });
  });

  it('groups each kind and hides what is chosen elsewhere', () => {
    const distill = groupsOf('distill');
    expect(distill.map((g) => g.id)).toEqual(['general', 'model', 'training', 'loss', 'evaluation']);
    const all = distill.flatMap((g) => g.fields).map((f) => f.path[0]);
    expect(all).not.toContain('teacher');
    expect(all).not.toContain('dataset');
    expect(
      find(
        distill.flatMap((g) => g.fields),
        'gkd.lgg',
      ),
    ).toBeUndefined();
    expect(
      find(
        distill.flatMap((g) => g.fields),
        'gkd.weight',
      ),
    ).toMatchObject({ kind: 'number' });
    expect(
      find(
        groupsOf('robust').flatMap((g) => g.fields),
        'laplacian.m',
      ),
    ).toMatchObject({ kind: 'enum', options: [1, 2] });
    expect(
      groupsOf('geometry')
        .find((g) => g.id === 'lgg')
        ?.fields.map((f) => f.path[0]),
    ).toEqual(['similarity', 'rbfAlpha']);
  });

  it('gets and sets nested values; undefined deletes so defaults apply', () => {
    const o: Record<string, unknown> = { training: { lr: 1 } };
    setAt(o, ['training', 'schedule', 'type'], 'cosine');
    expect(getAt(o, ['training', 'schedule'])).toEqual({ type: 'cosine' });
    setAt(o, ['training', 'lr'], undefined);
    expect(o.training).toEqual({ schedule: { type: 'cosine' } });
  });
});

describe('parameter count and time estimate', () => {
  it('matches the paper’s WideResNet counts on CIFAR-10', () => {
    expect(modelCost({ arch: 'wrn', depth: 28, width: 1 }, [32, 32, 3], 10).parameters).toBe(369_690);
    expect(modelCost({ arch: 'wrn', depth: 28, width: 0.5 }, [32, 32, 3], 10).parameters).toBe(94_154);
  });

  it('matches PyTorch’s PreActResNet18 and the reference CNN', () => {
    expect(
      modelCost({ arch: 'preact-resnet18', width: 1, parseval: false }, [32, 32, 3], 10).parameters,
    ).toBe(11_171_146);
    // conv 1→32 (320) + conv 32→64 (18,496) + dense 3136→128 (401,536) + dense 128→10 (1,290)
    expect(modelCost({ arch: 'ref-cnn', width: 1 }, [28, 28, 1], 10).parameters).toBe(421_642);
    expect(modelCost({ arch: 'mlp', hidden: [256, 128] }, [28, 28, 1], 10).parameters).toBe(
      784 * 256 + 256 + 256 * 128 + 128 + 1290,
    );
  });

  it('scales epoch time with examples and backend speed', () => {
    const cost = { parameters: 1, macs: 1e6, convMacs: 0 };
    const work = { examples: 1000, batchSize: 100, evalExamples: 0 };
    const at = (rate?: number) => epochSeconds(cost, work, 'wasm', rate);
    expect(at(3e9) - at(6e9)).toBeCloseTo(0.5);
    expect(epochSeconds(cost, { ...work, examples: 2000 }, 'wasm', 3e9) - at(3e9)).toBeGreaterThan(1);
  });

  it('estimates small models within 2× of measured epochs (it ran up to 10× low)', () => {
    // One-epoch MNIST runs on wasm, 2 shared cores, 2026-12-03: 6,400 training examples, 2,000 test
    // examples, wall time from start to end (so set-up counted too); the slowest of its runs each.
    const measured: { model: ModelSpec; batchSize: number; seconds: number }[] = [
      { model: { arch: 'mlp', hidden: [256, 128] }, batchSize: 64, seconds: 3.0 },
      { model: { arch: 'mlp', hidden: [256, 128] }, batchSize: 256, seconds: 4.9 },
      { model: { arch: 'ref-cnn', width: 0.25 }, batchSize: 16, seconds: 6.5 },
      { model: { arch: 'ref-cnn', width: 0.25 }, batchSize: 64, seconds: 8.9 },
      { model: { arch: 'ref-cnn', width: 0.25 }, batchSize: 256, seconds: 7.7 },
      { model: { arch: 'ref-cnn', width: 0.5 }, batchSize: 64, seconds: 15.7 },
      { model: { arch: 'ref-cnn', width: 1 }, batchSize: 64, seconds: 51.8 },
      { model: { arch: 'ref-cnn', width: 2 }, batchSize: 64, seconds: 167.3 },
    ];
    for (const m of measured) {
      const cost = modelCost(m.model, [28, 28, 1], 10);
      const est = epochSeconds(cost, { examples: 6400, batchSize: m.batchSize, evalExamples: 2000 }, 'wasm');
      expect(est, `${JSON.stringify(m.model)} batch ${m.batchSize}`).toBeGreaterThan(m.seconds / 2);
      expect(est, `${JSON.stringify(m.model)} batch ${m.batchSize}`).toBeLessThan(m.seconds * 2);
    }
  });

  it('divides epoch time over the threads a run gets on wasm and cpu only', () => {
    // A model heavy enough that the per-batch and per-epoch fixed costs do not count.
    const cost = { parameters: 1, macs: 1e9, convMacs: 0 };
    const work = { examples: 1000, batchSize: 100, evalExamples: 0 };
    expect(runThreads('auto', 8, 128, 'wasm')).toBe(8);
    expect(runThreads('auto', 8, 4, 'wasm')).toBe(4);
    expect(runThreads(3, 8, 128, 'cpu')).toBe(3);
    expect(runThreads('auto', 8, 128, 'tensorflow-gpu')).toBe(1);
    // auto sizes by the step's arithmetic: one replica per 1.8·10⁸ MACs of a step (≈ 3 forwards).
    const refCnn = modelCost({ arch: 'ref-cnn', width: 1 }, [28, 28, 1], 10);
    const mlp = modelCost({ arch: 'mlp', hidden: [256, 128] }, [28, 28, 1], 10);
    expect(runThreads('auto', 8, 64, 'wasm', refCnn)).toBe(4);
    expect(runThreads('auto', 2, 64, 'wasm', refCnn)).toBe(2);
    expect(runThreads('auto', 8, 64, 'wasm', mlp)).toBe(1);
    expect(runThreads('auto', 8, 2048, 'wasm', mlp)).toBe(8);
    expect(runThreads(2, 8, 64, 'wasm', mlp)).toBe(2);
    const one = epochSeconds(cost, work, 'wasm');
    const four = epochSeconds(cost, work, 'wasm', undefined, 4);
    expect(four).toBeLessThan(one / 3);
    expect(four).toBeGreaterThan(one / 4);
  });
});
