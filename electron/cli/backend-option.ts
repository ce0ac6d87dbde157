import { BackendChoiceSchema, type BackendChoice } from '../../shared/spec/training.js';
import { optString, UsageError, type ParsedArgs } from './command.js';

/** The names `--backend` accepts, for usage lines. */
export const BACKEND_CHOICES = BackendChoiceSchema.options.join('|');

/** `--backend B` validated, or undefined when absent. */
export function backendOption(args: ParsedArgs): BackendChoice | undefined {
  const choice = optString(args, 'backend');
  if (choice === undefined) return undefined;
  const parsed = BackendChoiceSchema.safeParse(choice);
  if (!parsed.success) throw new UsageError(`--backend: unknown backend "${choice}" (${BACKEND_CHOICES})`);
  return parsed.data;
}
