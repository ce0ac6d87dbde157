import { resolveLayerPairs, type LayerPair } from '../../../shared/spec/model-taps.js';
import type { SpecOf } from '../../../shared/spec/experiments.js';
import type { Model } from '../models/model.js';

export type { LayerPair };

/**
 * Resolves the layer pairs of a distillation spec against the built networks (the host checks the
 * same against the specs' tap lists before a run folder exists).
 */
export function resolvePairs(
  selection: SpecOf<'distill'>['pairs'],
  teacher: Model,
  student: Model,
): LayerPair[] {
  return resolveLayerPairs(selection, teacher, student);
}
