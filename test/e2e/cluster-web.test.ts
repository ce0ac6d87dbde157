import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLab, type ServedLab } from '../../electron/server/serve-lab.js';
import { fastPollSettings, slurmUnavailable } from '../cluster/slurm.js';
import { writeSyntheticImages } from '../helpers/datasets.js';
import { launchBrowser } from './browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = path.join(root, 'test-results', 'screenshots');
const unavailable = slurmUnavailable();
if (unavailable) console.warn(`cluster end-to-end test skipped: ${unavailable}`);

let dataDir: string;
let lab: ServedLab;
let context: BrowserContext;
let page: Page;
let errors: string[];

async function setNumber(field: string, value: string): Promise<void> {
  const input = page.locator(`[data-field="${field}"] input[type="number"]`);
  await input.fill(value);
  await input.dispatchEvent('change');
}

/** The New-experiment form set to a 2-seed study of a short CNN run on the tiny synthetic set. */
async function studyForm(name: string): Promise<void> {
  await page.click('[data-nav="new"]');
  await page.click('[data-kind="train"]');
  await page.click('[data-preset="mnist-cnn-quick"]');
  await page.click('.choice[data-dataset="squares"]');
  await setNumber('training.epochs', '2');
  await page.check('[data-study="enabled"]');
  await page.fill('[aria-label="Study"] input[placeholder="e.g. gkd-vs-kd"]', name);
  await page.fill('[aria-label="Study"] input[placeholder="0, 1, 2"]', '0, 1');
  await page.check('[data-run-on="slurm"]');
}

describe.skipIf(unavailable !== undefined)('a study on Slurm, followed live in web mode (Chromium)', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lgg-e2e-slurm-'));
    await fastPollSettings(dataDir);
    await writeSyntheticImages(dataDir, {
      id: 'squares',
      classes: 3,
      train: 600,
      test: 60,
      height: 12,
      width: 12,
      channels: 1,
    });
    await mkdir(shots, { recursive: true });
    lab = await serveLab({
      dataDir,
      port: 0,
      rendererDir: path.join(root, 'dist', 'renderer'),
      version: 'e2e',
      followIntervalMs: 300,
    });
    ({ context, page, errors } = await launchBrowser());
    if (!existsSync(path.join(root, 'dist', 'renderer', 'index.html')))
      throw new Error('run `npm run build` first');
  });

  afterAll(async () => {
    await context?.close();
    await lab?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('previews the batch script of the study as the Slurm options change', async () => {
    await page.goto(lab.url);
    await page.waitForSelector('[data-action="start"]');
    await studyForm('e2e-cluster');
    const script = page.locator('[data-slurm-script]');
    await expect.poll(() => script.textContent(), { timeout: 30_000 }).toContain('#SBATCH --array=0-1\n');
    await page.fill('[data-slurm-field="maxParallel"] input', '1');
    await page.fill('[data-slurm-field="time"] input', '0:10:00');
    await expect.poll(() => script.textContent(), { timeout: 30_000 }).toContain('#SBATCH --array=0-1%1');
    expect(await script.textContent()).toContain('#SBATCH --time=0:10:00');
    expect(await script.textContent()).toContain('run-task "$RUN"');
    expect(await page.textContent('[data-shared-fs]')).toMatch(
      /every node of the default partition is this machine/,
    );
    await page.fill('[data-slurm-field="time"] input', 'tomorrow');
    await expect
      .poll(() => page.locator('[data-slurm-field="time"] .error-text').textContent())
      .toMatch(/24:00:00/);
    expect(await page.locator('[data-action="start"]').isDisabled()).toBe(true);
    await page.fill('[data-slurm-field="time"] input', '0:10:00');
    await page.screenshot({ path: path.join(shots, 'cluster-form.png') });
  });

  it('submits the study and shows its runs go from pending to running on the node to completed', async () => {
    await page.click('[data-action="start"]');
    await page.waitForURL(/#\/runs/);
    const rows = page.locator('tr[data-run]');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    // With one task at a time, one run waits while the other trains: both states show at once.
    const slurmTexts = async (): Promise<string> =>
      (await page.locator('[data-slurm]').allTextContents()).join(' | ');
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const t = await slurmTexts();
          if (/PENDING/.test(t)) seen.add('pending');
          if (/RUNNING on \S+/.test(t)) seen.add('running');
          if (/JobArrayTaskLimit/.test(t)) seen.add('waiting its turn');
          return seen.size >= 2 && seen.has('running') ? [...seen].sort().join(',') : t;
        },
        { timeout: 120_000, interval: 200 },
      )
      .toMatch(/running/);
    await page.screenshot({ path: path.join(shots, 'cluster-runs.png') });
    const file = path.join(shots, 'cluster-runs.png');
    if (process.env.LGG_LAB_UPDATE_DOCS === '1')
      await copyFile(file, path.join(root, 'docs', 'screenshot-cluster.png'));
    await expect
      .poll(async () => await page.locator('tr[data-run] .state.completed').count(), {
        timeout: 180_000,
        interval: 500,
      })
      .toBe(2);
    // Slurm's own view follows within a poll: the tasks are over.
    await expect.poll(slurmTexts, { timeout: 30_000 }).toMatch(/COMPLETED on \S+ \| Slurm COMPLETED on \S+/);
    // The study's report merged both runs as they landed.
    await expect
      .poll(
        async () =>
          (await readdir(path.join(dataDir, 'studies', 'e2e-cluster')).catch((): string[] => [])).includes(
            'report.md',
          ),
        {
          timeout: 30_000,
        },
      )
      .toBe(true);
    // The dashboard of a cluster run names its task and the node it ran on.
    await page.click('tr[data-run] .name a');
    await expect
      .poll(() => page.textContent('[data-slurm-line]'), { timeout: 30_000 })
      .toMatch(/Slurm task \d+_\d · Slurm COMPLETED on \S+/);
    await page.locator('[data-chart="curves"] canvas').first().waitFor({ timeout: 30_000 });
  });

  it('says why Slurm refuses a submission, and leaves nothing queued', async () => {
    const before = (await readdir(path.join(dataDir, 'runs'))).length;
    await studyForm('e2e-refused');
    await page.fill('[data-slurm-field="partition"] input', 'nope');
    await page.click('[data-action="start"]');
    await expect
      .poll(() => page.textContent('[data-start-error]'), { timeout: 30_000 })
      .toMatch(/partition nope/);
    expect((await readdir(path.join(dataDir, 'runs'))).length).toBe(before);
    expect(errors).toEqual([]);
  });
});
