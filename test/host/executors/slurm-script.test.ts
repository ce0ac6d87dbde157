import { describe, expect, it } from 'vitest';
import { SlurmOptionsSchema } from '../../../shared/executor.js';
import {
  mergeOptions,
  shellQuote,
  slurmScript,
  splitCommandLine,
} from '../../../electron/host/executors/index.js';
import type { ScriptInput } from '../../../electron/host/executors/slurm/script.js';
import { arraySpec } from '../../../shared/executor.js';

function input(over: Partial<ScriptInput> = {}): ScriptInput {
  return {
    title: 'study "gkd" (3 runs)',
    jobName: 'lgg-gkd study',
    runDirs: ['/data/runs/a', '/data/runs/b', "/data/runs/it's"],
    output: '/data/studies/gkd/slurm-1/task-%a/slurm-%A_%a.out',
    dataDir: '/data',
    workDir: '/data/studies/gkd/slurm-1',
    labCommand: ['/opt/node 20/bin/node', '/opt/lgg-lab/bin/lgg-lab.js'],
    options: SlurmOptionsSchema.parse({
      partition: 'gpu',
      account: 'lab-1',
      qos: 'normal',
      gpusPerTask: 1,
      cpusPerTask: 8,
      mem: '16G',
      time: '24:00:00',
      maxParallel: 2,
      sbatchArgs: ['--constraint=a100', '--exclusive'],
    }),
    version: '0.1.0',
    createdAt: new Date('2026-12-03T10:00:00Z'),
    ...over,
  };
}

describe('the generated batch script', () => {
  it('is one job array: requeueable, warned 120 s before its limit, logs in the run folders, every option', () => {
    const s = slurmScript(input());
    const sbatch = s.split('\n').filter((l) => l.startsWith('#SBATCH '));
    expect(sbatch).toEqual([
      '#SBATCH --job-name=lgg-gkd-study',
      '#SBATCH --array=0-2%2',
      '#SBATCH --requeue',
      '#SBATCH --open-mode=append',
      '#SBATCH --signal=B:USR1@120',
      '#SBATCH --output=/data/studies/gkd/slurm-1/task-%a/slurm-%A_%a.out',
      '#SBATCH --chdir=/data/studies/gkd/slurm-1',
      '#SBATCH --ntasks=1',
      '#SBATCH --cpus-per-task=8',
      '#SBATCH --gpus-per-task=1',
      '#SBATCH --mem=16G',
      '#SBATCH --time=24:00:00',
      '#SBATCH --partition=gpu',
      '#SBATCH --account=lab-1',
      '#SBATCH --qos=normal',
      '#SBATCH --constraint=a100',
      '#SBATCH --exclusive',
    ]);
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    // Task i runs folder i; words with blanks or quotes stay one word.
    expect(s).toContain("RUNS=(\n  /data/runs/a\n  /data/runs/b\n  '/data/runs/it'\\''s'\n)");
    expect(s).toContain(
      `'/opt/node 20/bin/node' /opt/lgg-lab/bin/lgg-lab.js run-task "$RUN" --data-dir /data &`,
    );
    // USR1 and TERM are forwarded to the lab; after the warning an interrupted lab (75) requeues.
    expect(s).toContain(`trap 'warned=1; kill -USR1 "$lab" 2>/dev/null' USR1`);
    expect(s).toContain(`trap 'kill -TERM "$lab" 2>/dev/null' TERM INT`);
    expect(s).toContain('if [ "$code" -eq 75 ] && [ "$warned" -eq 1 ]; then');
    expect(s).toContain('scontrol requeue "$SLURM_JOB_ID"');
  });

  it('leaves out what is not set and needs no % limit when every task may run at once', () => {
    const s = slurmScript(
      input({ options: SlurmOptionsSchema.parse({ maxParallel: 5 }), runDirs: ['/d/runs/x'] }),
    );
    expect(s).toContain('#SBATCH --array=0\n');
    expect(s).not.toMatch(/--partition|--time|--mem|--cpus-per-task|--gpus-per-task/);
    expect(arraySpec(4)).toBe('0-3');
    expect(arraySpec(4, 4)).toBe('0-3');
    expect(arraySpec(10, 3)).toBe('0-9%3');
  });

  it('keeps a study name on its comment line, whatever it holds', () => {
    const s = slurmScript(input({ title: 'study "x\nrm -rf ~\r\u2028y"' }));
    expect(s.split('\n')[1]).toBe(
      '# LGG Lab 0.1.0: study "x rm -rf ~  y" as a Slurm job array, generated 2026-12-03T10:00:00.000Z.',
    );
    expect(s.split('\n').filter((l) => l.includes('rm -rf'))).toHaveLength(1);
  });

  it('refuses paths #SBATCH lines cannot carry, and an empty array', () => {
    expect(() => slurmScript(input({ workDir: '/my data/x' }))).toThrow(/blank, a quote, a backslash or %/);
    expect(() => slurmScript(input({ output: '/data/100%/slurm-%A_%a.out' }))).toThrow(/cannot carry/);
    expect(() => slurmScript(input({ runDirs: [] }))).toThrow(/no runs/);
  });
});

describe('Slurm options', () => {
  it('validates names, limits and extra options with the field named', () => {
    expect(SlurmOptionsSchema.safeParse({ partition: 'gpu;rm -rf /' }).success).toBe(false);
    expect(SlurmOptionsSchema.safeParse({ time: 'tomorrow' }).success).toBe(false);
    expect(SlurmOptionsSchema.safeParse({ time: '2-00:00:00' }).success).toBe(true);
    expect(SlurmOptionsSchema.safeParse({ time: '90' }).success).toBe(true);
    expect(SlurmOptionsSchema.safeParse({ mem: '16 GB' }).success).toBe(false);
    expect(SlurmOptionsSchema.safeParse({ sbatchArgs: ['--wrap=x\n#SBATCH --foo'] }).success).toBe(false);
    expect(SlurmOptionsSchema.safeParse({ sbatchArgs: ['-N 2'] }).success).toBe(false);
    expect(SlurmOptionsSchema.safeParse({ cpusPerTask: 0 }).success).toBe(false);
    // Options the script sets itself cannot be overridden (a log elsewhere, another folder, …).
    const reserved = SlurmOptionsSchema.safeParse({
      sbatchArgs: ['--constraint=a100', '--output=/home/me/.bashrc'],
    });
    expect(reserved.success ? '' : reserved.error.issues[0]?.message).toBe(
      '--output is set by the lab itself',
    );
    expect(SlurmOptionsSchema.safeParse({ sbatchArgs: ['--chdir=/tmp'] }).success).toBe(false);
    const bad = SlurmOptionsSchema.safeParse({ qos: 'a b' });
    expect(bad.success ? '' : bad.error.issues[0]?.path.join('.')).toBe('qos');
  });

  it('takes what a submission sets over the settings defaults', () => {
    const defaults = SlurmOptionsSchema.parse({
      partition: 'cpu',
      time: '1:00:00',
      sbatchArgs: ['--exclusive'],
    });
    expect(mergeOptions(defaults, SlurmOptionsSchema.parse({ time: '2:00:00' }))).toEqual({
      partition: 'cpu',
      time: '2:00:00',
      sbatchArgs: ['--exclusive'],
    });
    expect(
      mergeOptions(defaults, SlurmOptionsSchema.parse({ sbatchArgs: ['--constraint=v100'] })).sbatchArgs,
    ).toEqual(['--constraint=v100']);
  });
});

describe('the lab command', () => {
  it('splits like a shell for words and quotes, and quotes back safely', () => {
    expect(splitCommandLine(`/usr/bin/node "/home/a b/lgg-lab.js"`)).toEqual([
      '/usr/bin/node',
      '/home/a b/lgg-lab.js',
    ]);
    expect(splitCommandLine(`env 'X=1 2' lgg\\ lab  `)).toEqual(['env', 'X=1 2', 'lgg lab']);
    expect(splitCommandLine(`a "b \\"c\\" d"`)).toEqual(['a', 'b "c" d']);
    expect(() => splitCommandLine(`node 'oops`)).toThrow(/unclosed '/);
    expect(shellQuote('/plain/path-1.js')).toBe('/plain/path-1.js');
    expect(shellQuote('$(rm -rf ~)')).toBe(`'$(rm -rf ~)'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });
});
