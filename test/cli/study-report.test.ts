import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../shared/run-types.js';
import { parseExperimentSpec, type ExperimentSpec } from '../../shared/spec/index.js';
import {
  formatCell,
  metricLabel,
  studyCsv,
  studyMarkdown,
  studySlug,
  summarizeStudy,
  type StudyRun,
} from '../../electron/host/studies/study-report.js';

function spec(kind: 'geometry' | 'robust', method: string, seed: number): ExperimentSpec {
  // A smoothness run needs a validation split to choose its classifier on.
  const r = parseExperimentSpec({ kind, method, training: { seed, validationFraction: 0.1 }, study: 's' });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function run(
  id: string,
  method: string,
  seed: number,
  metrics: Record<string, number>,
  o: Partial<StudyRun> = {},
): StudyRun {
  const report = {
    runId: id,
    kind: 'geometry',
    method,
    testAcc: metrics.testAcc ?? 0,
    metrics,
  } as unknown as RunReport;
  return {
    id,
    method,
    seed,
    state: 'completed',
    createdAt: `2026-01-01T00:00:0${id.length}Z`,
    spec: spec('geometry', method, seed),
    report,
    ...o,
  };
}

describe('study report', () => {
  it('keeps the newest run per method × seed and averages completed runs only (sample std)', () => {
    const runs = [
      run('a', 'ce', 0, { testAcc: 0.9, knn1: 0.8, knn10: 0.85, mean: 0.7, embNorm: 3 }),
      run('bb', 'ce', 0, { testAcc: 0.92, knn1: 0.82, knn10: 0.86, mean: 0.72, embNorm: 3 }),
      run('c', 'ce', 1, { testAcc: 0.96, knn1: 0.86, knn10: 0.9, mean: 0.76, embNorm: 3 }),
      run('d', 'smoothness', 0, { testAcc: 0.5, knn1: 0.5, knn10: 0.5, mean: 0.5 }),
      {
        ...run('e', 'smoothness', 1, {}),
        state: 'failed' as const,
        error: 'Training diverged | badly',
        report: undefined,
      },
    ];
    const s = summarizeStudy('My study', runs);
    expect(s.methods).toEqual(['ce', 'smoothness']);
    expect(s.metrics).toEqual(['testAcc', 'knn1', 'knn10', 'mean']);
    expect(s.runs.map((r) => r.id)).toEqual(['bb', 'c', 'd', 'e']);
    const ce = s.cells.testAcc!.ce!;
    expect(ce.n).toBe(2);
    expect(ce.mean).toBeCloseTo(0.94, 12);
    expect(ce.std).toBeCloseTo(Math.sqrt(2 * 0.02 ** 2), 12);
    expect(s.cells.testAcc!.smoothness!.n).toBe(1);
    expect(Number.isNaN(s.cells.testAcc!.smoothness!.std)).toBe(true);
    expect(formatCell(ce)).toBe('94.00 ± 2.83');
    expect(formatCell(s.cells.testAcc!.smoothness)).toBe('50.00');

    const md = studyMarkdown(s, 'now');
    expect(md).toContain('| metric (%) | ce (n = 2) | smoothness (n = 1) |');
    expect(md).toContain('| 1-NN | 84.00 ± 2.83 | 50.00 |');
    expect(md).toContain('| e | smoothness | 1 | failed | — | Training diverged \\| badly |');
    const csv = studyCsv(s).trim().split('\n');
    expect(csv).toContain('My study,geometry,testAcc,ce,2,0.94,0.02828427124746185,0.92;0.96');
    expect(csv).toContain('My study,geometry,mean,smoothness,1,0.5,,0.5');
  });

  it('names metrics for humans and folders safely', () => {
    expect(metricLabel('pgd@0.0314×10+rs')).toBe('PGD ε=0.0314 × 10, random start');
    expect(metricLabel('fgsm@20dB')).toBe('FGSM at 20 dB');
    expect(metricLabel('gaussian@0.5')).toBe('Gaussian noise ε=0.5');
    expect(metricLabel('quantized@5bit')).toBe('5-bit weights');
    expect(metricLabel('pgd-any-iterate@0.01×20')).toBe('PGD ε=0.01 × 20 (pgd-any-iterate)');
    expect(metricLabel('fgsm-normalised@33dB')).toBe('FGSM at 33 dB (fgsm-normalised)');
    expect(metricLabel('dropout-blocks@0.4')).toBe('test-time dropout p=0.4 (dropout-blocks)');
    expect(metricLabel('quantise-truncate@5bit')).toBe('5-bit weights (quantise-truncate)');
    expect(metricLabel('deepfool.l2')).toBe('DeepFool mean ‖x̃ − x‖₂ / D (deepfool)');
    expect(formatCell({ n: 2, mean: 4.33e-5, std: 1e-6, values: [] }, 'deepfool.l2')).toBe(
      '4.33e-5 ± 1.00e-6',
    );
    expect(metricLabel('corruptions.inApp.error')).toBe('corruption error, in-app (mean)');
    expect(studySlug('MNIST robust / V vs R')).toBe('mnist-robust-v-vs-r');
    expect(studySlug('../..')).toBe('study');
  });
});
