import { afterAll, beforeAll } from 'vitest';
import type { BackendName } from '../../shared/backend-types.js';
import { useBackend } from './backend.js';
import { SQUARES, writeSyntheticImages } from './datasets.js';
import { tempDataDir } from './runs.js';

/**
 * For the enclosing describe block: a temporary data folder holding the {@link SQUARES} set, on
 * the given backend (none for host-level tests). `then` adds more (a teacher run, a suite).
 */
export function useSquaresData(o: { backend?: BackendName; then?: (dir: string) => Promise<void> } = {}): {
  readonly dir: string;
} {
  let data: { dir: string; cleanup: () => Promise<void> } | undefined;
  beforeAll(async () => {
    if (o.backend) await useBackend(o.backend);
    data = await tempDataDir();
    await writeSyntheticImages(data.dir, SQUARES);
    await o.then?.(data.dir);
  });
  afterAll(() => data?.cleanup());
  return {
    get dir(): string {
      if (!data) throw new Error('the squares data folder exists only inside the describe block');
      return data.dir;
    },
  };
}
