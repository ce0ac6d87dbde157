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
import { gpuRunFailure } from '../../../electron/engine/train/device-faults.js';
import type { RunContext } from '../../../electron/engine/train/experiment.js';
import { Sgd } from '../../../electron/engine/train/sgd.js';
import { useBackend } from '../../helpers/backend.js';
import { tempDataDir } from '../../helpers/runs.js';

const spec = { arch: 'mlp' as const, hidden: [5] };

describe('checkpoints', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(() => useBackend('cpu'));
  beforeEach(async () => (tmp = await tempDataDir()));
  afterEach(() => tmp.cleanup());

  const save = (model: ReturnType<typeof createModel>, step: number, epoch = 1) =>
    saveCheckpoint(tmp.dir, model, undefined, {
      model: spec,
      inputShape: [3],
      outputDim: 2,
      classes: 2,
      normalization: null,
      state: { epoch, step, stepInEpoch: 0, seconds: 1 },
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

  it('a GPU fault’s advice names the checkpoint a resume would take, checked as the resume checks it', async () => {
    const model = createModel(spec, [3], 2, 1);
    const ctx = {
      runDir: tmp.dir,
      model: { description: 'MLP 3-5-2' },
      spec: { training: { batchSize: 8 } },
    } as unknown as RunContext;
    const advice = async (): Promise<string> =>
      (await gpuRunFailure({ kind: 'device-lost', message: 'lost' }, ctx)).message;
    expect(await advice()).toContain('No checkpoint was written yet');
    const older = await save(model, 4, 1);
    const newer = await save(model, 8, 2);
    expect(await advice()).toContain('The checkpoint of epoch 2 is kept');
    const flip = async (dir: string): Promise<void> => {
      const file = path.join(dir, 'weights.bin');
      const b = await fs.readFile(file);
      b[3] = (b[3] ?? 0) ^ 0x40;
      await fs.writeFile(file, b);
    };
    await flip(newer);
    expect(await advice()).toContain('The checkpoint of epoch 1 is kept');
    await flip(older);
    expect(await advice()).toMatch(
      /No resume can continue it: checkpoints: no intact checkpoint to resume from \(checkpoints\/e0002-s000000008\/weights.bin: does not match the checksum/,
    );
    model.params.dispose();
  });
});
