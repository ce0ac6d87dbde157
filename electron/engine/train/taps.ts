import { LabFailure } from '../../../shared/result.js';
import type { TapSelection } from '../../../shared/spec/model.js';
import { tapsOfKind, type Model } from '../models/model.js';

/** Resolves a tap selection against a model, failing with the available names. */
export function resolveTaps(model: Model, selection: TapSelection, what = 'taps'): string[] {
  if (selection === 'stages') return tapsOfKind(model, 'stage');
  if (selection === 'relu') return tapsOfKind(model, 'relu');
  const known = new Set(model.taps.map((t) => t.name));
  const missing = selection.filter((s) => !known.has(s));
  if (missing.length > 0) {
    throw new LabFailure(
      'invalid-spec',
      `${what}: ${model.description} has no tap ${missing.map((m) => `"${m}"`).join(', ')} (available: ${[...known].join(', ')})`,
    );
  }
  return selection;
}
