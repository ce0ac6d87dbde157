// Every chart stays inside its panel and no text overlaps another, at 1024×700 and 1440×900, over
// a finished run of each kind and a Compare of a study — measured in Chromium on real runs of the
// engine (tiny synthetic data). The charts are drawn by ECharts' SVG renderer here (`charts=svg`,
// the same layout as the canvas), so each text is an element with a bounding box.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabHost } from '../../electron/host/lab-host.js';
import { serveLab, type ServedLab } from '../../electron/server/serve-lab.js';
import { TERMINAL_STATES } from '../../shared/run-types.js';
import type { ExperimentSpecInput } from '../../shared/spec/index.js';
import { writeSyntheticImages } from '../helpers/datasets.js';
import { launchBrowser } from './browser.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const shots = path.join(root, 'test-results', 'screenshots');
const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
] as const;

const training = {
  epochs: 4,
  batchSize: 16,
  lr: 0.05,
  stepsPerEpoch: 10,
  schedule: { type: 'constant' },
  seed: 0,
};
const common = {
  dataset: 'squares',
  backend: 'wasm',
  model: { arch: 'ref-cnn', width: 0.25 },
  training,
  probe: { perClass: 4, seed: 0, epochs: 'all' },
} as const;

const SPECS: Record<'geometry' | 'robust', ExperimentSpecInput> = {
  geometry: {
    ...common,
    kind: 'geometry',
    method: 'smoothness',
    // A smoothness run chooses its classifier on a validation split.
    training: { ...training, validationFraction: 0.1 },
    embeddingDim: 8,
    similarity: 'cosine',
  } as never,
  robust: {
    ...common,
    kind: 'robust',
    method: 'laplacian',
    probeTaps: 'relu',
    laplacian: { gamma: 0.001, m: 2, taps: 'relu', sigma: 'raw' },
    evaluation: {
      subset: 24,
      gaussian: { epsilons: [0.1, 0.3, 0.5], sigma: 0.5, draws: 1 },
      fgsm: { epsilons: [0.05, 0.1], snrDb: [20] },
      pgd: [{ epsilon: 0.05, step: 0.02, iterations: 2, randomStart: false }],
      corruptions: { suite: 'auto', inApp: true },
      dropout: [0.25, 0.4],
      quantizationBits: [4, 6],
      perturbedProfiles: true,
    },
  } as never,
};

interface ChartBoxes {
  chart: string;
  panel: DOMRect;
  box: DOMRect;
  texts: { text: string; r: DOMRect }[];
}

/** Every drawn chart of the page: its panel, its box and the boxes of its texts. */
async function chartBoxes(page: Page): Promise<ChartBoxes[]> {
  return page.$$eval('.echart', (els) =>
    els.map((el) => {
      const panel = (el.closest('.chart-panel') ?? el.parentElement ?? el).getBoundingClientRect();
      const label =
        el.closest('[data-chart]')?.getAttribute('data-chart') ?? el.getAttribute('aria-label') ?? '';
      const texts = Array.from(el.querySelectorAll('svg text'))
        .map((t) => ({
          text: (t.textContent ?? '').trim(),
          r: t.getBoundingClientRect().toJSON() as DOMRect,
        }))
        .filter((t) => t.text !== '' && t.r.width > 0 && t.r.height > 0);
      return {
        chart: label,
        panel: panel.toJSON() as DOMRect,
        box: el.getBoundingClientRect().toJSON() as DOMRect,
        texts,
      };
    }),
  );
}

const inside = (a: DOMRect, b: DOMRect, slack = 1): boolean =>
  a.left >= b.left - slack &&
  a.top >= b.top - slack &&
  a.right <= b.right + slack &&
  a.bottom <= b.bottom + slack;

/** Overlap of two boxes in px along each axis (0 when apart). */
function overlap(a: DOMRect, b: DOMRect): [number, number] {
  return [
    Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)),
    Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)),
  ];
}

/** What is wrong with the page's charts, as sentences (empty when nothing is). */
async function layoutProblems(page: Page, where: string): Promise<string[]> {
  const problems: string[] = [];
  const width = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  if ((width[0] ?? 0) > (width[1] ?? 0) + 1)
    problems.push(`${where}: the page scrolls sideways (${width[0]} > ${width[1]} px)`);
  for (const c of await chartBoxes(page)) {
    if (!inside(c.box, c.panel)) problems.push(`${where} ${c.chart}: the chart overflows its panel`);
    for (const t of c.texts)
      if (!inside(t.r, c.box, 2))
        problems.push(`${where} ${c.chart}: "${t.text}" is drawn outside the chart`);
    for (let i = 0; i < c.texts.length; i++)
      for (let j = i + 1; j < c.texts.length; j++) {
        const a = c.texts[i]!;
        const b = c.texts[j]!;
        const [x, y] = overlap(a.r, b.r);
        if (x > 2 && y > 2) problems.push(`${where} ${c.chart}: "${a.text}" overlaps "${b.text}"`);
      }
  }
  return problems;
}

let dataDir: string;
let lab: ServedLab;
let context: BrowserContext;
let page: Page;
let errors: string[];
const ids: Record<string, string> = {};
let study: string[] = [];

/** Trains the runs the walk visits with the real host and engine, then serves their data folder. */
beforeAll(async () => {
  for (const f of ['dist/renderer/index.html', 'dist/electron/engine/main.js'])
    if (!existsSync(path.join(root, f)))
      throw new Error(`${f} is missing: run \`npm run build\` before the e2e test`);
  await mkdir(shots, { recursive: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lgg-e2e-charts-'));
  // Faint squares in strong noise: learnable, but not at once, so the curves have a shape.
  await writeSyntheticImages(dataDir, {
    id: 'squares',
    classes: 6,
    train: 480,
    test: 120,
    height: 16,
    width: 16,
    channels: 1,
    signal: 50,
    noise: 200,
  });
  const host = await createLabHost({ dataDir, mode: 'web' });
  try {
    const start = async (spec: unknown): Promise<string> => {
      const r = await host.request('lab:runs.start', { spec });
      if (!r.ok) throw new Error(r.error.message);
      return r.value.id;
    };
    const done = async (list: string[]): Promise<void> => {
      for (const id of list) {
        const deadline = Date.now() + 240_000;
        for (;;) {
          const s = await host.runs.status(id);
          if (TERMINAL_STATES.includes(s.state) && !host.queue.has(id)) {
            if (s.state !== 'completed') throw new Error(`${id} ${s.state}: ${s.error?.message ?? ''}`);
            break;
          }
          if (Date.now() > deadline) throw new Error(`${id} did not finish`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    ids.train = await start({ ...common, kind: 'train' });
    await done([ids.train]);
    ids.geometry = await start(SPECS.geometry);
    ids.robust = await start(SPECS.robust);
    const started = await host.request('lab:runs.startStudy', {
      study: {
        kind: 'study',
        name: 'e2e-distill',
        base: { ...common, kind: 'distill', method: 'gkd', teacher: { run: ids.train }, gkd: { weight: 25 } },
        methods: ['student', 'gkd'],
        seeds: [0, 1],
      },
    });
    if (!started.ok) throw new Error(started.error.message);
    study = started.value.ids;
    ids.distill = study.find((id) => id.includes('gkd')) ?? study[0] ?? '';
    await done([ids.geometry, ids.robust, ...study]);
  } finally {
    await host.close();
  }
  lab = await serveLab({ dataDir, port: 0, rendererDir: path.join(root, 'dist', 'renderer') });
  ({ context, page, errors } = await launchBrowser());
}, 600_000);

afterAll(async () => {
  await context?.close();
  await lab?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Opens a route of the lab with SVG charts and waits until its charts are drawn. */
async function open(route: string, charts: string[]): Promise<void> {
  const [base, query] = lab.url.split('?');
  await page.goto(`${base}?${query}&charts=svg#${route}`);
  for (const c of charts)
    await page.locator(`[data-chart="${c}"] svg text`).first().waitFor({ timeout: 60_000 });
  // Force layouts, band stacks and fonts settle within a frame or two.
  await page.waitForTimeout(400);
}

const PAGES: { name: string; route: () => string; charts: string[] }[] = [
  {
    name: 'train',
    route: () => `/runs/${ids.train}`,
    charts: ['curves', 'sigma', 'heatmap', 'knn', 'lr', 'confusion'],
  },
  {
    name: 'distill',
    route: () => `/runs/${ids.distill}`,
    charts: ['heatmap', 'gkd-distance', 'scalars', 'sigma', 'curves'],
  },
  {
    name: 'geometry',
    route: () => `/runs/${ids.geometry}`,
    charts: ['pca', 'scalars', 'curves', 'sigma', 'heatmap'],
  },
  {
    name: 'robust',
    route: () => `/runs/${ids.robust}`,
    charts: ['sigma', 'curves', 'report-gaussian', 'report-fgsm'],
  },
  {
    name: 'compare',
    route: () => `/compare?ids=${study.join(',')}`,
    charts: ['compare-curves', 'compare-profiles', 'compare-bars'],
  },
];

describe('charts at 1024×700 and 1440×900', () => {
  for (const size of SIZES) {
    for (const p of PAGES) {
      it(`${p.name} at ${size.width}×${size.height}: every chart inside its panel, no overlapping text`, async () => {
        await page.setViewportSize(size);
        await open(p.route(), p.charts);
        const problems = await layoutProblems(page, `${p.name} ${size.width}×${size.height}`);
        const file = path.join(shots, `charts-${p.name}-${size.width}.png`);
        await page.screenshot({ path: file });
        expect(problems).toEqual([]);
        if (size.width === 1440 && process.env.LGG_LAB_UPDATE_DOCS === '1')
          await copyFile(file, path.join(root, 'docs', `screenshot-${p.name}.png`));
      });
    }
  }

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
