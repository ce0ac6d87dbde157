import type { ArrayRole, ImportOptions } from './import-options.js';
import { failure } from './errors.js';

/** Array names recognised for each role (stems, case-insensitive), as Keras, TFDS exports and np.savez use them. */
const PATTERNS: Record<ArrayRole, RegExp> = {
  trainX: /^(x[_-]?train|train[_-]?(x|images?|imgs|data|inputs|features))$/i,
  trainY: /^(y[_-]?train|train[_-]?(y|labels?|targets?))$/i,
  testX: /^(x[_-]?(test|val|valid)|(test|val|valid)[_-]?(x|images?|imgs|data|inputs|features))$/i,
  testY: /^(y[_-]?(test|val|valid)|(test|val|valid)[_-]?(y|labels?|targets?))$/i,
  x: /^(x|images?|imgs|data|inputs|features|arr_0)$/i,
  y: /^(y|labels?|targets?|arr_1)$/i,
};

/** Which array plays which role. */
export type RoleMap = Partial<Record<ArrayRole, string>>;

/**
 * Assigns array keys to roles: explicit `npzKeys` first, then the recognised names. Needs a
 * train pair or an unsplit pair; a test pair is optional.
 */
export function assignRoles(keys: readonly string[], options: ImportOptions, where: string): RoleMap {
  const map: RoleMap = {};
  const explicit = options.npzKeys ?? {};
  for (const [role, key] of Object.entries(explicit) as [ArrayRole, string][]) {
    if (!keys.includes(key))
      throw failure('dataset-invalid', `${where}: no array "${key}" for ${role} (found: ${keys.join(', ')})`);
    map[role] = key;
  }
  for (const role of Object.keys(PATTERNS) as ArrayRole[]) {
    if (map[role] !== undefined) continue;
    const used = new Set(Object.values(map));
    const key = keys.find((k) => !used.has(k) && PATTERNS[role].test(k));
    if (key !== undefined) map[role] = key;
  }
  const hasTrain = map.trainX !== undefined && map.trainY !== undefined;
  const hasPool = map.x !== undefined && map.y !== undefined;
  if (!hasTrain && !hasPool) {
    throw failure(
      'dataset-invalid',
      `${where}: cannot tell inputs from labels among ${keys.join(', ') || 'no arrays'}; name them x_train/y_train[/x_test/y_test] or x/y, or pass npzKeys (--keys trainX=…,trainY=…)`,
    );
  }
  if ((map.testX === undefined) !== (map.testY === undefined)) {
    throw failure(
      'dataset-invalid',
      `${where}: test ${map.testX === undefined ? 'labels' : 'inputs'} without their ${map.testX === undefined ? 'inputs' : 'labels'}`,
    );
  }
  return map;
}
