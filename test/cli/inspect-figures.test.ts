// `lgg-lab list`, `show` and `study --figures` against run folders as the engine leaves them.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../electron/cli/args.js';
import { listCommand, showCommand } from '../../electron/cli/commands/inspect.js';
import { studyCommand } from '../../electron/cli/commands/study.js';
import { writeFinishedRun } from '../helpers/finished-runs.js';
import { tempDataDir } from '../helpers/runs.js';
import { collectingCli } from '../helpers/cli.js';

const cli = collectingCli;

describe('lgg-lab list, show and study --figures', () => {
  let data: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    data = await tempDataDir();
    for (const [i, method] of ['gkd', 'kd'].entries())
      for (const seed of [0, 1])
        await writeFinishedRun(data.dir, `20260101-00000${i}-distill-${method}-${seed}a${i}f`, {
          method,
          seed,
          study: 'quick',
          acc: 0.95 + 0.01 * i,
          epochs: 3,
          metrics: { agreement: 0.9 + 0.01 * seed, teacherAcc: 0.97, 'gkd.pair0': 0.01 * (i + 1) },
        });
  });
  afterAll(() => data.cleanup());

  it('lists runs by the names the app shows, beside their ids', async () => {
    const ctx = cli(data.dir);
    expect(await listCommand.run(parseCommandLine(listCommand.options, []), ctx)).toBe(0);
    expect(ctx.lines[0]).toMatch(/^id +state +epoch +test acc +best +time +name\n/);
    expect(ctx.lines.join('\n')).toMatch(
      /^20260101-000000-distill-gkd-0a0f +completed +3\/3 +95\.00 %.* +distill · gkd · CNN×0\.25 · mnist · seed 0$/m,
    );
    // A cancelled-looking duration is the clock's, not 0 s.
    expect(ctx.lines.join('\n')).toMatch(/3 min 13 s/);
  });

  it('finds a run by a unique start or end of its id, and says which runs an ambiguous one matches', async () => {
    const ctx = cli(data.dir);
    expect(
      await showCommand.run(parseCommandLine(showCommand.options, ['20260101-000001-distill-kd-1']), ctx),
    ).toBe(0);
    expect(ctx.lines.join('\n')).toContain('id       20260101-000001-distill-kd-1a1f');
    const tail = cli(data.dir);
    expect(await showCommand.run(parseCommandLine(showCommand.options, ['0a0f']), tail)).toBe(0);
    expect(tail.lines.join('\n')).toContain('20260101-000000-distill-gkd-0a0f');
    await expect(
      showCommand.run(parseCommandLine(showCommand.options, ['20260101-00000']), cli(data.dir)),
    ).rejects.toThrow(/matches 4 runs .*type more of the id/);
    await expect(
      showCommand.run(parseCommandLine(showCommand.options, ['nope']), cli(data.dir)),
    ).rejects.toThrow(/no run "nope"/);
  });

  it('prints counts as integers and metrics with their names and units', async () => {
    const ctx = cli(data.dir);
    expect(await showCommand.run(parseCommandLine(showCommand.options, ['0a0f']), ctx)).toBe(0);
    const text = ctx.lines.join('\n');
    expect(text).toMatch(/teacher–student agreement 90\.00 %/);
    expect(text).toMatch(/GKD distance ‖A_T − A_S‖², pair 1 0\.01\b/);
    expect(text).toMatch(/\b959\b/);
    expect(text).not.toMatch(/959\.0000|0\.9000|3\.0000/);
  });

  it('renders the study’s figure set as SVG without a browser', async () => {
    const out = path.join(data.dir, 'figs');
    const ctx = cli(data.dir);
    expect(
      await studyCommand.run(
        parseCommandLine(studyCommand.options, ['--report-only', 'quick', '--figures-dir', out]),
        ctx,
      ),
    ).toBe(0);
    expect(ctx.lines.join('\n')).toMatch(/figures: \d+ SVG files in/);
    const files = (await fs.readdir(out)).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'curves-test-acc.svg',
        'curves-test-agreement.svg',
        'sigma-profiles.svg',
        'final-testacc.svg',
        'final-gkd-pair0.svg',
        'lgg-gkd.svg',
        'lgg-kd.svg',
      ]),
    );
    const curves = await fs.readFile(path.join(out, 'curves-test-acc.svg'), 'utf8');
    expect(curves).toMatch(/^<\?xml[^>]*>\s*<svg /);
    for (const text of ['test accuracy (%)', 'epoch', 'gkd (n=2)', 'kd (n=2)'])
      expect(curves).toContain(text);
    expect(curves).not.toContain('NaN');
    const lgg = await fs.readFile(path.join(out, 'lgg-gkd.svg'), 'utf8');
    expect(lgg).toContain('teacher');
    expect(lgg).toContain('|A_T − A_S|');
    // Each matrix is one embedded image under vector axes, not thousands of cells.
    expect(lgg.match(/<image /g)?.length).toBe(3);
    expect(lgg.length).toBeLessThan(200_000);
  });
});
