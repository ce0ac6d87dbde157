import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../../shared/run-types.js';
import { mergeEvaluation } from '../../../electron/engine/eval/evaluate-run.js';
import { tableOfMetric } from '../../../electron/engine/eval/suite.js';

const table = (id: string) => ({ id, title: id, columns: ['x'], rows: [[1]] });

describe('mergeEvaluation', () => {
  it('maps every protocol’s metric keys, and the keys of reports written before the protocols were named, to their table', () => {
    expect(tableOfMetric('pgd-any-iterate@0.01×20')).toBe('pgd');
    expect(tableOfMetric('pgd-final-iterate@0.01×20')).toBe('pgd');
    expect(tableOfMetric('pgd@0.01×20')).toBe('pgd');
    expect(tableOfMetric('fgsm-normalised@33dB')).toBe('fgsm');
    expect(tableOfMetric('fgsm@33dB')).toBe('fgsm');
    expect(tableOfMetric('deepfool')).toBe('deepfool');
    expect(tableOfMetric('deepfool.l2')).toBe('deepfool');
    expect(tableOfMetric('dropout-blocks@0.25')).toBe('dropout');
    expect(tableOfMetric('dropout@0.25')).toBe('dropout');
    expect(tableOfMetric('quantise-truncate@5bit')).toBe('quantization');
    expect(tableOfMetric('quantized@5bit')).toBe('quantization');
    expect(tableOfMetric('knn1')).toBeUndefined();
    expect(tableOfMetric('deepfoolish')).toBeUndefined();
  });

  it('re-evaluating an old report replaces its legacy numbers with the named protocols’ and keeps the rest', () => {
    const old: RunReport = {
      runId: 'r',
      kind: 'robust',
      method: 'vanilla',
      testAcc: 0.9,
      bestTestAcc: 0.9,
      testLoss: 0.3,
      seconds: 1,
      parameters: 1,
      metrics: { acc: 0.9, clean: 0.9, 'pgd@0.01×20': 0.5, 'dropout@0.25': 0.7, 'gaussian@0.2': 0.6 },
      tables: [table('clean'), table('gaussian'), table('pgd'), table('dropout'), table('confusion')],
    };
    const merged = mergeEvaluation(old, {
      metrics: {
        clean: 0.91,
        'pgd-any-iterate@0.01×20': 0.4,
        'pgd-final-iterate@0.01×20': 0.45,
        deepfool: 0.01,
      },
      tables: [table('clean'), table('pgd'), table('deepfool')],
    });
    expect(merged.metrics).toEqual({
      acc: 0.9,
      clean: 0.91,
      'dropout@0.25': 0.7,
      'gaussian@0.2': 0.6,
      'pgd-any-iterate@0.01×20': 0.4,
      'pgd-final-iterate@0.01×20': 0.45,
      deepfool: 0.01,
    });
    expect(merged.tables.map((t) => t.id)).toEqual([
      'clean',
      'gaussian',
      'pgd',
      'deepfool',
      'dropout',
      'confusion',
    ]);
  });
});
