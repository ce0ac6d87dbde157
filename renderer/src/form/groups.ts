import type { z } from 'zod';
import {
  DistillSpecSchema,
  GeometrySpecSchema,
  RobustSpecSchema,
  TrainSpecSchema,
  type ExperimentKind,
} from '../../../shared/spec';
import { fieldsOf, type Field } from './schema-fields';

/** Sections of the New-experiment form, in display order. */
export type GroupId = 'general' | 'model' | 'training' | 'lgg' | 'loss' | 'evaluation';

/** A titled section of fields. */
export interface FieldGroup {
  id: GroupId;
  title: string;
  fields: Field[];
}

const TITLES: Record<GroupId, string> = {
  general: 'General',
  model: 'Model',
  training: 'Training',
  lgg: 'Latent geometry graph',
  loss: 'Loss weights',
  evaluation: 'Evaluation and probes',
};

const GROUP_OF: Record<string, GroupId> = {
  name: 'general',
  method: 'general',
  model: 'model',
  embeddingDim: 'model',
  training: 'training',
  backend: 'training',
  threads: 'training',
  similarity: 'lgg',
  rbfAlpha: 'lgg',
  pairs: 'loss',
  kd: 'loss',
  rkd: 'loss',
  sp: 'loss',
  gkd: 'loss',
  smoothness: 'loss',
  laplacian: 'loss',
  parseval: 'loss',
  evaluation: 'evaluation',
  probe: 'evaluation',
  probeTaps: 'evaluation',
  knn: 'evaluation',
  fitSubset: 'evaluation',
};

/** Chosen elsewhere on the page (kind, dataset, teacher) or not for humans (version, study). */
const HIDDEN = new Set(['version', 'kind', 'dataset', 'teacher', 'study']);

/** The schema of one experiment kind. */
export const SCHEMA_OF_KIND: Record<ExperimentKind, z.ZodObject> = {
  train: TrainSpecSchema,
  distill: DistillSpecSchema,
  geometry: GeometrySpecSchema,
  robust: RobustSpecSchema,
};

/**
 * The grouped form of a kind, built from its zod schema: new spec fields appear without UI work.
 * The GKD graph options are edited next to the live preview (see LggPlayground), not here.
 */
export function groupsOf(kind: ExperimentKind): FieldGroup[] {
  const skip = (p: string[]): boolean =>
    (p.length === 1 && HIDDEN.has(p[0] ?? '')) || (p[0] === 'gkd' && p[1] === 'lgg');
  const groups = new Map<GroupId, Field[]>(Object.keys(TITLES).map((id) => [id as GroupId, []]));
  for (const f of fieldsOf(SCHEMA_OF_KIND[kind], [], skip)) {
    groups.get(GROUP_OF[f.path[0] ?? ''] ?? 'general')?.push(f);
  }
  return [...groups]
    .filter(([, fields]) => fields.length > 0)
    .map(([id, fields]) => ({ id, title: TITLES[id], fields }));
}
