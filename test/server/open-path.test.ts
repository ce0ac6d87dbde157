import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOpenablePath } from '../../electron/main/open-path.js';

describe('lab:shell.openPath in the desktop app', () => {
  let dir: string;
  let data: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lgg-open-')));
    data = path.join(dir, 'data');
    await mkdir(path.join(data, 'runs', 'r1'), { recursive: true });
    await mkdir(path.join(data, 'exports'), { recursive: true });
    await writeFile(path.join(data, 'exports', 'r1.zip'), 'zip');
    await writeFile(path.join(dir, 'payload.sh'), '#!/bin/sh\n');
    await symlink(path.join(dir, 'payload.sh'), path.join(data, 'runs', 'r1', 'link.sh'));
    await symlink(dir, path.join(data, 'runs', 'outside'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('opens folders and reveals files of the data folder', async () => {
    expect(await checkOpenablePath(data, data, false)).toBe(data);
    expect(await checkOpenablePath(data, path.join(data, 'runs', 'r1'), false)).toBe(
      path.join(data, 'runs', 'r1'),
    );
    const zip = path.join(data, 'exports', 'r1.zip');
    expect(await checkOpenablePath(data, zip, true)).toBe(zip);
  });

  it('never opens a file with its application (an executable would run)', async () => {
    await expect(checkOpenablePath(data, path.join(data, 'exports', 'r1.zip'), false)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('refuses paths outside the data folder, through .. or symlinks', async () => {
    for (const reveal of [false, true]) {
      for (const p of [
        path.join(dir, 'payload.sh'),
        path.join(data, '..', 'payload.sh'),
        path.join(data, 'runs', 'r1', 'link.sh'),
        path.join(data, 'runs', 'outside'),
        '/',
        'runs/r1',
        path.join(data, 'missing'),
      ]) {
        await expect(checkOpenablePath(data, p, reveal), `${p} reveal=${reveal}`).rejects.toMatchObject({
          code: 'forbidden',
        });
      }
    }
  });
});
