import { describe, expect, it } from 'vitest';
import {
  parseImageSize,
  parseKeys,
  validateOptions,
} from '../../../electron/host/datasets/import-options.js';
import { expectedOutputBytes } from '../../../electron/host/datasets/import-job.js';
import {
  checkedElements,
  checkOutputBytes,
  decompressionCap,
  LIMITS,
} from '../../../electron/host/datasets/limits.js';
import { cleanName, isValidId, slugify, uniqueId } from '../../../electron/host/datasets/naming.js';
import type { ImportSource } from '../../../electron/host/datasets/source.js';
import { countClasses, stratifiedTestMask } from '../../../electron/host/datasets/split-assign.js';
import { cleanBaseName } from '../../../electron/host/datasets/suite-link.js';
import { PixelStats } from '../../../electron/host/datasets/stats.js';

describe('dataset helpers', () => {
  it('derives ids from names', () => {
    expect(slugify('CIFAR-10 (coarse) — Été!')).toBe('cifar-10-coarse-ete');
    expect(slugify('***')).toBe('dataset');
    expect(uniqueId('My Set', new Set(['my-set', 'my-set-2']))).toBe('my-set-3');
    expect(uniqueId('Spirals 5', new Set())).toBe('spirals-5-2');
    expect(uniqueId('mnist', new Set())).toBe('mnist-2');
    expect(isValidId('cifar-10')).toBe(true);
    for (const bad of ['', '..', 'a/b', 'A', '-x', 'x-']) expect(isValidId(bad)).toBe(false);
    expect(cleanName('  two\n lines  ')).toBe('two lines');
    expect(() => cleanName(' \t')).toThrow(/empty/);
  });

  it('caps sizes before anything is allocated', () => {
    expect(checkedElements('f', [10, 28, 28])).toBe(7840);
    expect(() => checkedElements('f', [2 ** 16, 2 ** 16])).toThrow(/exceeds the limit/);
    expect(() => checkedElements('f', [-1])).toThrow(/invalid dimension/);
    expect(() => checkOutputBytes('f', LIMITS.maxOutputBytes + 1)).toThrow(/beyond the 4 GiB limit/);
    expect(decompressionCap(10)).toBe(LIMITS.minDecompressedAllowance);
    expect(decompressionCap(10 * 1024 ** 2)).toBe(2000 * 1024 ** 2);
    expect(decompressionCap(1024 ** 4)).toBe(LIMITS.maxDecompressedBytes);
    const source = {
      kind: 'tabular',
      shape: [1000],
      splits: [{ name: 'train', count: 1_200_000, countsPerClass: [] }],
    } as unknown as ImportSource;
    expect(expectedOutputBytes(source)).toBe(1_200_000 * 4004);
  });

  it('parses command-line option values and validates options', () => {
    expect(parseImageSize('32')).toBe(32);
    expect(parseImageSize('24x32')).toEqual([24, 32]);
    expect(() => parseImageSize('x')).toThrow(/invalid image size/);
    expect(parseKeys('trainX=a.npy, trainY=b')).toEqual({ trainX: 'a', trainY: 'b' });
    expect(() => validateOptions({ imageSize: 0 })).toThrow(/imageSize/);
    expect(() => validateOptions({ testFraction: 0 })).toThrow(/testFraction/);
    expect(() => validateOptions({ npzKeys: { z: 'a' } as never })).toThrow(/npzKeys role/);
  });

  it('splits stratified, seeded and to the exact total', () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => i % 7);
    const mask = stratifiedTestMask(labels, 7, 0.25, 42);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(Math.round(103 * 0.25));
    const perClass = countClasses(labels, 7, mask, 1);
    expect(Math.max(...perClass) - Math.min(...perClass)).toBeLessThanOrEqual(1);
    expect(Array.from(stratifiedTestMask(labels, 7, 0.25, 42))).toEqual(Array.from(mask));
    expect(Array.from(stratifiedTestMask(labels, 7, 0.25, 43))).not.toEqual(Array.from(mask));
  });

  it('computes exact per-channel statistics from histograms', () => {
    const s = new PixelStats(3);
    s.add(Uint8Array.of(0, 255, 51, 255, 255, 102));
    const r = s.result();
    expect(r.mean).toEqual([0.5, 1, 0.3]);
    expect(r.std[0]).toBeCloseTo(0.5, 12);
    expect(r.std[1]).toBe(0);
  });

  it('maps suite names to their clean set', () => {
    expect(cleanBaseName('CIFAR-10-C')).toBe('cifar10');
    expect(cleanBaseName('mnist_c')).toBe('mnist');
    expect(cleanBaseName('cifar100c')).toBe('cifar100');
    expect(cleanBaseName('c')).toBeUndefined();
  });
});
