import { describe, expect, it } from 'vitest';
import { runNormalization } from '../../shared/spec/index.js';

describe('runNormalization', () => {
  const measured = { mean: [0.49, 0.48, 0.45], std: [0.247, 0.243, 0.261] };
  const cifar = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.201] };

  it('uses the recipe’s constants when given, the statistics measured at import otherwise, none when off', () => {
    expect(runNormalization({ normalize: true, normalizeConstants: cifar }, measured, [32, 32, 3])).toEqual(
      cifar,
    );
    expect(runNormalization({ normalize: true, normalizeConstants: null }, measured, [32, 32, 3])).toEqual(
      measured,
    );
    expect(
      runNormalization({ normalize: false, normalizeConstants: cifar }, measured, [32, 32, 3]),
    ).toBeNull();
  });

  it('refuses constants for another number of channels, naming the field', () => {
    expect(() =>
      runNormalization(
        { normalize: true, normalizeConstants: cifar },
        { mean: [0.13], std: [0.31] },
        [28, 28, 1],
      ),
    ).toThrow(/training\.normalizeConstants: 3 mean and 3 std values for a dataset with 1 channel/);
  });
});
