import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { EngineToHost } from '../../../shared/engine-protocol.js';
import { LabFailure } from '../../../shared/result.js';
import type { ExperimentSpecInput } from '../../../shared/spec/index.js';
import type { RunReport } from '../../../shared/run-types.js';
import { releaseBackend } from '../../../electron/engine/backend/select.js';
import { webGpuDevice } from '../../../electron/engine/backend/webgpu/index.js';
import { runTraining } from '../../../electron/engine/train/trainer.js';
import { useBackend } from '../../helpers/backend.js';
import { useSquaresData } from '../../helpers/squares-data.js';
import { readMetrics, writeRun } from '../../helpers/runs.js';
import { describeWebGpu, tf } from './helpers.js';

const spec = (epochs: number, backend: 'webgpu' | 'wasm' = 'webgpu'): ExperimentSpecInput => ({
  kind: 'train',
  dataset: 'squares',
  model: { arch: 'ref-cnn', width: 0.25 },
  training: { epochs, batchSize: 16, lr: 0.05, stepsPerEpoch: 3, seed: 4 },
  probe: { perClass: 2, seed: 0, epochs: 'all' },
  backend,
});

interface GpuMemory {
  numTensors: number;
  numBytesInGPU: number;
  numBytesAllocatedInGPU: number;
}

describeWebGpu('webgpu resources', () => {
  const data = useSquaresData();

  it('holds no more tensors or GPU memory after each epoch than after the first', async () => {
    await useBackend('webgpu');
    const runDir = await writeRun(data.dir, 'flat', spec(4));
    const atEpoch: GpuMemory[] = [];
    const io = {
      // The trainer emits the epoch record after evaluating, before the probe and the checkpoint.
      emit: (m: EngineToHost) => {
        if (m.type === 'metrics' && m.record.type === 'epoch')
          atEpoch.push(tf.memory() as unknown as GpuMemory);
      },
      cancelled: () => false,
    };
    await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, io);
    expect(atEpoch).toHaveLength(4);
    const [first, ...rest] = atEpoch;
    for (const m of rest) {
      expect(m.numTensors).toBe(first!.numTensors);
      expect(m.numBytesInGPU).toBe(first!.numBytesInGPU);
    }
    // Freed buffers are pooled for reuse: the pool may fill during the first epochs, never grow after.
    expect(atEpoch[3]!.numBytesAllocatedInGPU).toBe(atEpoch[2]!.numBytesAllocatedInGPU);
  });

  it('releases the device and every GPU buffer when a job ends', async () => {
    await useBackend('webgpu');
    const device = webGpuDevice()!;
    const x = tf.square(tf.ones([64, 64]));
    await x.data();
    x.dispose();
    expect((tf.memory() as unknown as GpuMemory).numBytesAllocatedInGPU).toBeGreaterThan(0);
    releaseBackend();
    const lost = await device.lost;
    expect(lost.reason).toBe('destroyed');
    expect(tf.findBackend('webgpu')).toBeNull();
    expect(webGpuDevice()).toBeUndefined();
  });

  it('a lost device fails the run with a clear error naming model and batch size, keeps the checkpoint, and the run resumes on wasm', async () => {
    await useBackend('webgpu');
    const runDir = await writeRun(data.dir, 'lost', spec(3));
    let steps = 0;
    const io = {
      emit: () => undefined,
      // Asked once per step: during epoch 2 (after epoch 1's checkpoint), the device goes away,
      // as a driver reset would take it.
      cancelled: () => {
        if (++steps === 5) webGpuDevice()!.destroy();
        return false;
      },
    };
    const failure = await runTraining({ type: 'train', runDir, dataDir: data.dir, resume: false }, io).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(LabFailure);
    const f = failure as LabFailure;
    expect(f.code).toBe('gpu-device-lost');
    expect(f.message).toMatch(/training CNN \d+-\d+-\d+ at batch size 16 /);
    expect(f.message).toContain('checkpoint of epoch 1');
    expect(f.message).toContain('--backend wasm');
    const latest = JSON.parse(await fs.readFile(path.join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as {
      epoch: number;
    };
    expect(latest.epoch).toBe(1);

    releaseBackend();
    await useBackend('wasm');
    const report = (await runTraining(
      { type: 'train', runDir, dataDir: data.dir, resume: true },
      { emit: () => undefined, cancelled: () => false },
    )) as RunReport;
    const epochs = (await readMetrics(runDir)).filter((m) => m.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(report.testAcc).toBeGreaterThan(0);
  });
});
