import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { idx, writeTree } from '../host/datasets/fixtures.js';
import { LGG_LAB_BIN } from '../helpers/cli.js';
import { useRunStore } from '../helpers/runs.js';

/** Runs `lgg-lab <args> | head -1` in bash; resolves with head's output, lgg-lab's stderr and exit code. */
async function intoHead(
  args: string[],
  dataDir: string,
): Promise<{ first: string; stderr: string; code: number }> {
  await fs.mkdir(dataDir, { recursive: true });
  const withData = args[0] === 'help' ? args : [...args, '--data-dir', dataDir];
  const quoted = [process.execPath, LGG_LAB_BIN, ...withData]
    .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
    .join(' ');
  // lgg-lab's stderr goes to a file, its exit code comes last on stdout.
  const errFile = path.join(dataDir, `stderr-${args[0] ?? ''}.txt`);
  const script = `${quoted} 2>'${errFile}' | head -1; echo "exit=\${PIPESTATUS[0]}"`;
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile('bash', ['-c', script], { timeout: 120_000 }, (e, out) =>
      e ? reject(new Error(e.message)) : resolve(out),
    ),
  );
  const stderr = await fs.readFile(errFile, 'utf8');
  const lines = stdout.trim().split('\n');
  return { first: lines[0] ?? '', stderr, code: Number(/exit=(\d+)/.exec(stdout)?.[1]) };
}

describe('printing into a pipe that closes (defect 7)', () => {
  const lab = useRunStore();

  it('import | head -1 stops the import cleanly: no EPIPE crash, nothing left in tmp/ or datasets/', async () => {
    const src = path.join(lab.dir, 'mnist-big');
    // Large enough that the import is still writing progress lines after head has exited.
    const n = 40_000;
    await writeTree(src, {
      'train-images-idx3-ubyte': idx(
        [n, 28, 28],
        Uint8Array.from({ length: n * 784 }, (_, i) => i % 251),
      ),
      'train-labels-idx1-ubyte': idx(
        [n],
        Uint8Array.from({ length: n }, (_, i) => i % 10),
      ),
    });
    const data = path.join(lab.dir, 'lab');
    const r = await intoHead(['import', src], data);
    expect(r.first).toMatch(/^Format: +idx → images/);
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
    expect(r.stderr).toContain('import cancelled; nothing was written');
    expect(r.code).toBe(141);
    expect(await fs.readdir(path.join(data, 'tmp'))).toEqual([]);
    expect(await fs.readdir(path.join(data, 'datasets')).catch(() => [])).toEqual([]);
  });

  it('every printing command survives its reader leaving', async () => {
    for (const args of [['help', 'import'], ['presets', '--json'], ['list']]) {
      const r = await intoHead(args, path.join(lab.dir, 'lab'));
      expect(r.stderr, args.join(' ')).toBe('');
      expect([0, 141], args.join(' ')).toContain(r.code);
      expect(r.first.length).toBeGreaterThan(0);
    }
  });
});
