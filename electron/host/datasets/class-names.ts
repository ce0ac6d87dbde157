import { failure } from './errors.js';

/** Class names of well-known sets, used when the source files do not carry them. */
export const KNOWN_CLASS_NAMES = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  fashion: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
  kmnist: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
  cifar10: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
} as const;

/** `0`…`n-1`. */
export function numericClassNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}

/** Non-empty trimmed lines of a label-names text file (CIFAR `batches.meta.txt` style). */
export function parseNameLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The class names to store: an explicit override (which must have exactly `numClasses` names),
 * else `fromSource` when it covers every label, else numbers.
 */
export function chooseClassNames(
  numClasses: number,
  fromSource: readonly string[] | undefined,
  override: readonly string[] | undefined,
): string[] {
  if (override && override.length > 0) {
    if (override.length < numClasses) {
      throw failure('dataset-invalid', `${override.length} class names given for ${numClasses} classes`);
    }
    return [...override];
  }
  if (fromSource && fromSource.length >= numClasses) return [...fromSource];
  return numericClassNames(numClasses);
}
