import { LabFailure } from '../../../shared/result.js';
import type { RunStore } from './run-store.js';

/** How many candidates an ambiguous id lists. */
const SHOWN = 6;

/**
 * The run an id typed by a person names: the exact id, else the one run whose id starts (or ends:
 * the random tail, `…-c824`) with it. No match, or several, fails with what to type instead.
 */
export async function resolveRunId(store: RunStore, text: string): Promise<string> {
  const typed = text.trim();
  if (typed === '') throw new LabFailure('invalid-request', 'which run? (lgg-lab list shows the runs)');
  const ids = await store.ids();
  if (ids.includes(typed)) return typed;
  const matches = ids.filter((id) => id.startsWith(typed) || id.endsWith(typed));
  if (matches.length === 1) return matches[0] as string;
  if (matches.length === 0)
    throw new LabFailure('not-found', `no run "${typed}" in ${store.root} (lgg-lab list shows the runs)`);
  const shown = matches.slice(0, SHOWN).join(', ');
  throw new LabFailure(
    'invalid-request',
    `"${typed}" matches ${matches.length} runs (${shown}${matches.length > SHOWN ? ', …' : ''}); type more of the id`,
  );
}
