import { resolveTapSelection } from '../../../shared/spec/model-taps.js';
import type { TapSelection } from '../../../shared/spec/model.js';
import type { Model } from '../models/model.js';

/** Resolves a tap selection against a model, failing with the available names. */
export function resolveTaps(model: Model, selection: TapSelection, what = 'taps'): string[] {
  return resolveTapSelection(model, selection, what);
}
