import { z } from 'zod';
import { ClusterSettingsSchema } from '../../shared/executor.js';
import { BackendChoiceSchema } from '../../shared/spec/training.js';
import { readJsonIfExists, writeJsonAtomic } from '../common/atomic-file.js';

/** `settings.json` of a data folder. */
export const SettingsSchema = z.object({
  /** Runs training at once (each in its own engine process). */
  maxConcurrentRuns: z.number().int().min(1).max(16).default(1),
  /** Backend for specs that say `auto`. */
  backend: BackendChoiceSchema.default('auto'),
  /** Slurm defaults, the lab command of compute nodes and the squeue poll interval. */
  cluster: ClusterSettingsSchema.default({ defaults: { sbatchArgs: [] }, pollSeconds: 10 }),
});
/** Parsed settings. */
export type Settings = z.infer<typeof SettingsSchema>;

/** Reads settings (defaults for a missing or invalid file, which is then rewritten). */
export async function loadSettings(file: string): Promise<Settings> {
  const raw = await readJsonIfExists<unknown>(file).catch(() => undefined);
  const r = SettingsSchema.safeParse(raw ?? {});
  const s = r.success ? r.data : SettingsSchema.parse({});
  if (!r.success || raw === undefined) await writeJsonAtomic(file, s).catch(() => undefined);
  return s;
}

/** Reads settings without writing anything (compute nodes only read the data folder's settings). */
export async function readSettings(file: string): Promise<Settings> {
  const raw = await readJsonIfExists<unknown>(file).catch(() => undefined);
  const r = SettingsSchema.safeParse(raw ?? {});
  return r.success ? r.data : SettingsSchema.parse({});
}

/** Writes settings atomically. */
export async function saveSettings(file: string, s: Settings): Promise<void> {
  await writeJsonAtomic(file, SettingsSchema.parse(s));
}
