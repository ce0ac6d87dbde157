import { z } from 'zod';
import { didYouMean } from './suggest.js';

/**
 * A zod object that refuses fields it does not declare, naming each one with the closest declared
 * field: a misspelt `"trainig"` must fail, not silently fall back to the defaults it meant to change.
 * Every object of a spec (and of anything else people write by hand) is built with this.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => `unknown field "${k}"${didYouMean(k, known)}`).join('; ')
        : undefined,
  });
}
