import { z } from 'zod';
import { strictObject } from '../strict-object.js';
import { ExperimentSpecSchema } from './experiments.js';

/** A study: one experiment run for every method × seed, reported as mean ± std per method. */
export const StudySpecSchema = strictObject({
  version: z.literal(1).default(1),
  kind: z.literal('study'),
  /** Name of the study (also the prefix of its runs' names). */
  name: z.string().min(1).max(200),
  /** The experiment every run starts from. */
  base: ExperimentSpecSchema,
  /** Methods to compare (must be methods of the base kind); empty = the base's method only. */
  methods: z.array(z.string().min(1)).default([]),
  /** Training seeds; every method runs once per seed. */
  seeds: z.array(z.number().int().min(0)).min(1).max(100).default([0, 1, 2]),
});
/** A parsed study spec. */
export type StudySpec = z.infer<typeof StudySpecSchema>;
/** What a user may write. */
export type StudySpecInput = z.input<typeof StudySpecSchema>;
