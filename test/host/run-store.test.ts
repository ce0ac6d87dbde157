import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../electron/common/npy-file.js';
import { RunStore } from '../../electron/host/runs/run-store.js';
import { parsedSpec, useRunStore } from '../helpers/runs.js';

const spec = () => parsedSpec({ kind: 'train', training: { epochs: 3 } });

describe('run store', () => {
  const t = useRunStore();

  it('creates a queued run with a readable id, spec and status', async () => {
    const s = await t.store.create(spec());
    expect(s.state).toBe('queued');
    expect(s.id).toMatch(/^\d{8}-\d{6}-train-ce-[0-9a-f]{4}$/);
    expect((await t.store.spec(s.id)).training.epochs).toBe(3);
    const rows = await t.store.list();
    expect(rows.map((r) => r.id)).toEqual([s.id]);
    expect(rows[0]!.name).toContain('train · ce');
  });

  it('reports a run left running by a dead host as interrupted, and persists that', async () => {
    const s = await t.store.create(spec());
    await t.store.updateStatus(s.id, {
      state: 'running',
      pid: 2 ** 22 + 12345,
      holder: { hostname: os.hostname(), pid: 2 ** 22 + 12346 },
    });
    const fresh = new RunStore(t.dir);
    const st = await fresh.status(s.id);
    expect(st.state).toBe('interrupted');
    expect(st.pid).toBeUndefined();
    expect(st.holder).toBeUndefined();
    const onDisk = JSON.parse(await fs.readFile(path.join(t.store.dir(s.id), 'status.json'), 'utf8')) as {
      state: string;
    };
    expect(onDisk.state).toBe('interrupted');
  });

  it('keeps runs this process holds as they are, in any store over the folder', async () => {
    const s = await t.store.create(spec());
    await t.store.updateStatus(s.id, { state: 'running' });
    expect((await new RunStore(t.dir).status(s.id)).state).toBe('running');
  });

  it('applies concurrent status patches in order without losing any', async () => {
    const s = await t.store.create(spec());
    await Promise.all([
      t.store.updateStatus(s.id, { epoch: 1 }),
      t.store.updateStatus(s.id, { backend: 'wasm' }),
      t.store.updateStatus(s.id, { pid: 42 }),
    ]);
    const raw = JSON.parse(await fs.readFile(path.join(t.store.dir(s.id), 'status.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(raw).toMatchObject({ epoch: 1, backend: 'wasm', pid: 42 });
  });

  it('never exposes a torn status: temp file + rename', async () => {
    const s = await t.store.create(spec());
    const dir = t.store.dir(s.id);
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.store.updateStatus(s.id, { epoch: i })));
    const files = await fs.readdir(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await fs.readFile(path.join(dir, 'status.json'), 'utf8'))).toMatchObject({ epoch: 19 });
  });

  it('reads metrics incrementally and skips a line being written', async () => {
    const s = await t.store.create(spec());
    const file = path.join(t.store.dir(s.id), 'metrics.jsonl');
    await fs.writeFile(
      file,
      '{"type":"step","epoch":1,"step":1,"lr":0.1,"loss":2,"acc":0.1,"components":{}}\n{"type":"st',
    );
    const a = await t.store.metrics(s.id);
    expect(a.records).toHaveLength(1);
    expect(a.next).toBe(1);
    await fs.writeFile(
      file,
      '{"type":"step","epoch":1,"step":1,"lr":0.1,"loss":2,"acc":0.1,"components":{}}\n{"type":"step","epoch":1,"step":2,"lr":0.1,"loss":1,"acc":0.2,"components":{}}\n',
    );
    const b = await t.store.metrics(s.id, a.next);
    expect(b.records.map((r) => r.step)).toEqual([2]);
  });

  it('serves probe graphs but refuses paths outside probes/', async () => {
    const s = await t.store.create(spec());
    const dir = path.join(t.store.dir(s.id), 'probes', 'e0001');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'block1.npy'), encodeNpy(Float32Array.from([0, 1, 1, 0]), [2, 2]));
    expect(await t.store.graph(s.id, 'probes/e0001/block1.npy')).toEqual({ size: 2, values: [0, 1, 1, 0] });
    await expect(t.store.graph(s.id, '../../../etc/passwd')).rejects.toThrow(/not a probe graph/);
    await expect(t.store.graph(s.id, 'spec.json')).rejects.toThrow(/not a probe graph/);
    expect(() => t.store.dir('../x')).toThrow(/not a run id/);
  });

  it('lists an unreadable run folder as damaged, naming the files, instead of skipping it', async () => {
    const s = await t.store.create(spec());
    await fs.mkdir(path.join(t.store.root, 'garbage'));
    await fs.writeFile(path.join(t.store.root, 'garbage', 'spec.json'), '{not json');
    const rows = await t.store.list();
    expect(rows.map((r) => r.id)).toEqual(['garbage', s.id]);
    expect(rows[0]).toMatchObject({ name: 'garbage', kind: 'unknown', status: { state: 'damaged' } });
    expect(rows[0]!.damaged).toEqual([
      { file: 'spec.json', reason: expect.stringMatching(/^is not JSON/) as string },
      { file: 'status.json', reason: 'is missing' },
    ]);
    expect(rows[1]!.damaged).toBeUndefined();
  });
  it('validates the Slurm task a status.json records, and never takes a Slurm state from the file', async () => {
    const s = await t.store.create(spec());
    const file = path.join(t.store.dir(s.id), 'status.json');
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    const task = { kind: 'slurm', jobId: '12', arrayIndex: 0, script: '/shared/job.sh' };
    // Options a resubmission would reuse, and job ids scancel would be given: as strict as typed-in ones.
    for (const [executor, reason] of [
      [
        { ...task, options: { sbatchArgs: ['--output=/home/me/.bashrc'] } },
        /--output is set by the lab itself/,
      ],
      [{ ...task, options: { partition: 'gpu; rm -rf ~', sbatchArgs: [] } }, /partition/],
      [{ ...task, jobId: '12,13' }, /jobId/],
    ] as const) {
      await fs.writeFile(file, JSON.stringify({ ...stored, executor }));
      await expect(t.store.status(s.id)).rejects.toThrow(reason);
      const [row] = await t.store.list();
      expect(row!.status.state).toBe('damaged');
      expect(row!.damaged?.[0]?.file).toBe('status.json');
    }
    // The Slurm state is asked from Slurm: one found in the file is dropped, and not written back.
    const slurm = { phase: 'completed', state: 'COMPLETED', task: '12_0', source: 'sacct', checkedAt: 'now' };
    await fs.writeFile(file, JSON.stringify({ ...stored, executor: task, slurm }));
    const read = await t.store.status(s.id);
    expect(read.executor).toEqual(task);
    expect(read.slurm).toBeUndefined();
    await t.store.updateStatus(s.id, { epoch: 1 });
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).not.toHaveProperty('slurm');
  });
});
