import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, formatTick } from '../../shared/format.js';
import {
  axisTitle,
  bestIndices,
  formatMeanStd,
  formatMetric,
  isKnownMetric,
  metricDef,
} from '../../shared/metrics.js';

describe('metric registry', () => {
  it('declares direction, unit and label once per metric', () => {
    expect(metricDef('agreement')).toMatchObject({
      unit: 'fraction',
      direction: 'higher',
      label: 'teacher–student agreement',
    });
    expect(metricDef('gkd.pair2')).toMatchObject({
      unit: 'distance',
      direction: 'lower',
      label: 'GKD distance ‖A_T − A_S‖², pair 3',
    });
    expect(metricDef('teacherAcc')).toMatchObject({ unit: 'fraction', direction: null });
    expect(metricDef('knn10')).toMatchObject({ label: '10-NN accuracy', direction: 'higher' });
    expect(metricDef('corruptions.inApp.error').direction).toBe('lower');
    expect(metricDef('embNorm').direction).toBeNull();
    expect(metricDef('test.acc').label).toBe('test accuracy');
    expect(metricDef('train.loss')).toMatchObject({ label: 'train loss', direction: 'lower' });
    // Robustness families, including protocol variants.
    expect(metricDef('pgd@0.1×20')).toMatchObject({
      label: 'PGD ε=0.1 × 20',
      direction: 'higher',
      unit: 'fraction',
    });
    expect(metricDef('pgd-any-iterate@0.1×20').label).toContain('pgd-any-iterate');
    expect(metricDef('fgsm@20dB').label).toBe('FGSM at 20 dB');
    expect(metricDef('quantized@5bit').label).toBe('5-bit weights');
    // Unknown keys are shown as they are and never starred.
    expect(isKnownMetric('whatever')).toBe(false);
    expect(metricDef('whatever')).toMatchObject({ label: 'whatever', direction: null });
  });

  it('formats by unit: fractions in %, counts as integers, seconds as durations', () => {
    expect(formatMetric('agreement', 0.9345)).toBe('93.45 %');
    expect(formatMetric('parameters', 94154)).toBe('94,154');
    expect(formatMetric('seconds', 193)).toBe('3 min 13 s');
    expect(formatMetric('gkd.pair0', 0.0026)).toBe('0.0026');
    expect(formatMeanStd('fraction', 0.9596, 0.0014)).toBe('95.96 ± 0.14 %');
    expect(formatMeanStd('fraction', 0.9596, Number.NaN)).toBe('95.96 %');
    expect(axisTitle('test accuracy', 'fraction')).toBe('test accuracy (%)');
  });

  it('finds the best by direction, ties as shown included', () => {
    expect(bestIndices([0.9, 0.95, 0.95], 'higher', 'fraction')).toEqual([1, 2]);
    expect(bestIndices([0.95, 0.95004, 0.9], 'higher', 'fraction')).toEqual([0, 1]);
    expect(bestIndices([0.01, 0.2, 0.05], 'lower', 'distance')).toEqual([0]);
    expect(bestIndices([1, 2], null, 'value')).toEqual([]);
    expect(bestIndices([undefined, Number.NaN], 'higher', 'fraction')).toEqual([]);
  });

  it('prints numbers for reading', () => {
    expect(formatNumber(959)).toBe('959');
    expect(formatNumber(12345.678)).toBe('12,350');
    expect(formatNumber(0.00012)).toBe('1.200e-4');
    expect(formatTick(1.1620469083155651)).toBe('1.162');
    expect(formatTick(0.30000000000000004)).toBe('0.3');
    expect(formatDuration(193)).toBe('3 min 13 s');
  });
});
