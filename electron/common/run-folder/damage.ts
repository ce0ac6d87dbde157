import { LabFailure } from '../../../shared/result.js';
import type { RunDamage } from '../../../shared/run-types.js';

/** Error code of every damaged-run-folder failure. */
export const RUN_DAMAGED = 'run-damaged';

/**
 * A file of a run folder that cannot be used: missing where required, not JSON, failing its schema,
 * pointing outside the folder, or bytes that do not match their checksum. The message names the
 * file (relative to the run folder) and the reason; `details` carries them as a {@link RunDamage}.
 */
export class RunFolderDamage extends LabFailure {
  readonly damage: RunDamage;
  constructor(file: string, reason: string, prefix = '') {
    super(RUN_DAMAGED, `${prefix}${file}: ${reason}`, { file, reason } satisfies RunDamage);
    this.damage = { file, reason };
  }
}

/** The damage a caught error describes, when it is one. */
export function damageOf(e: unknown): RunDamage | undefined {
  return e instanceof RunFolderDamage ? e.damage : undefined;
}
