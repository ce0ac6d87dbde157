import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModel } from '../../../electron/engine/models/registry.js';
import {
  loadCheckpoint,
  restoreInto,
  saveCheckpoint,
  disposeCheckpoint,
} from '../../../electron/engine/train/checkpoint.js';
import { Sgd } from '../../../electron/engine/train/sgd.js';
import { useBackend } from '../../helpers/backend.js';
import { tempDataDir } from '../../helpers/runs.js';

const spec = { arch: 'mlp' as const, hidden: [5] };

describe('checkpoints', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(() => useBackend('cpu'));
  beforeEach(async () => (tmp = await tempDataDir()));
  afterEach(() => tmp.cleanup());

  const save = (model: ReturnType<typeof createModel>, step: number) =>
    saveCheckpoint(tmp.dir, model, undefined, {
      model: spec,
      inputShape: [3],
      outputDim: 2,
      classes: 2,
      normalization: null,
      state: { epoch: 1, step, stepInEpoch: 0, seconds: 1 },
    });

  it('keeps the two newest in training order (step 100 sorts after step 99) and restores exactly', async () => {
    const model = createModel(spec, [3], 2, 1);
    for (const step of [98, 99, 100]) await save(model, step);
    const kept = (await fs.readdir(path.join(tmp.dir, 'checkpoints')))
      .filter((d) => d.startsWith('e'))
      .sort();
    expect(kept).toEqual(['e0001-s000000099', 'e0001-s000000100']);
    const other = createModel(spec, [3], 2, 2);
    const ckpt = await loadCheckpoint(tmp.dir);
    expect(ckpt.meta.state.step).toBe(100);
    restoreInto(
      ckpt,
      other,
      new Sgd(other.params.trainable, { momentum: 0, nesterov: false, weightDecay: 0 }),
    );
    disposeCheckpoint(ckpt);
    for (const [name, v] of model.params.entries()) {
      expect(
        Array.from(
          other.params.trainable.get(name)?.dataSync() ?? other.params.buffers.get(name)!.dataSync(),
        ),
      ).toEqual(Array.from(v.dataSync()));
    }
    model.params.dispose();
    other.params.dispose();
  });

  it('refuses a truncated weights file with a clear error', async () => {
    const model = createModel(spec, [3], 2, 1);
    const dir = await save(model, 5);
    await fs.truncate(path.join(dir, 'weights.bin'), 10);
    await expect(loadCheckpoint(tmp.dir)).rejects.toMatchObject({
      code: 'run-damaged',
      message: expect.stringMatching(
        /checkpoints\/e0001-s000000005\/weights\.bin: has 10 bytes, its manifest says \d+/,
      ),
    });
    model.params.dispose();
  });
});
