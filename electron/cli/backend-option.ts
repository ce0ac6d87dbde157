import { BackendChoiceSchema, type BackendChoice } from '../../shared/spec/training.js';
import { UsageError } from './command.js';

/** The names `--backend` accepts, for usage lines and the option's value placeholder. */
export const BACKEND_CHOICES = BackendChoiceSchema.options.join('|');

/** The declaration of a `--backend` option (every command that takes one declares it with this). */
export function backendOptionSpec(help: string) {
  return { type: 'string', value: BACKEND_CHOICES, help } as const;
}

/** A value of `--backend` validated (the one place it is): a usage error naming the choices. */
export function parseBackend(choice: string): BackendChoice {
  const parsed = BackendChoiceSchema.safeParse(choice);
  if (!parsed.success) throw new UsageError(`--backend: unknown backend "${choice}" (${BACKEND_CHOICES})`);
  return parsed.data;
}

/** The value of `--backend` validated, or undefined when absent. */
export function backendOption(choice: string | undefined): BackendChoice | undefined {
  return choice === undefined ? undefined : parseBackend(choice);
}
