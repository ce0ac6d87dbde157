import { createHash } from 'node:crypto';
import { numericClassNames } from './class-names.js';
import { Rng } from '../../../shared/rng.js';
import type { ImportSource } from './source.js';
import { countClasses } from './split-assign.js';

/** Parameters of a generated 2-D (or n-D) tabular set. */
export interface SyntheticSpec {
  /** Generator. */
  kind: 'blobs' | 'moons' | 'spirals';
  /** Number of classes (2–20). */
  classes: number;
  /** Features (2 for moons and spirals). */
  features: number;
  /** Training examples. */
  train: number;
  /** Test examples. */
  test: number;
  /** Noise level (σ of the Gaussian jitter). */
  noise: number;
  /** Seed. */
  seed: number;
}

const DEFAULTS: Record<SyntheticSpec['kind'], Omit<SyntheticSpec, 'kind'>> = {
  blobs: { classes: 3, features: 2, train: 1200, test: 600, noise: 1, seed: 0 },
  moons: { classes: 2, features: 2, train: 1000, test: 500, noise: 0.1, seed: 0 },
  spirals: { classes: 3, features: 2, train: 1200, test: 600, noise: 0.2, seed: 0 },
};

/** `blobs`, `moons`, `spirals`, optionally `-<classes>` (e.g. `spirals-5`); undefined for other ids. */
export function parseSyntheticId(id: string): SyntheticSpec | undefined {
  const m = /^(blobs|moons|spirals)(?:-(\d{1,2}))?$/.exec(id);
  if (!m) return undefined;
  const kind = m[1] as SyntheticSpec['kind'];
  const spec = { kind, ...DEFAULTS[kind] };
  if (m[2] !== undefined) {
    const k = Number(m[2]);
    if (k < 2 || k > 20) return undefined;
    spec.classes = k;
  }
  return spec;
}

/** One point of class `c`; the generators follow scikit-learn's make_blobs / make_moons and CS231n's spirals. */
function point(
  spec: SyntheticSpec,
  c: number,
  rng: Rng,
  centres: Float64Array,
  out: Float32Array,
  at: number,
): void {
  const k = spec.classes;
  if (spec.kind === 'blobs') {
    for (let j = 0; j < spec.features; j++)
      out[at + j] = (centres[c * spec.features + j] as number) + spec.noise * rng.normal();
  } else if (spec.kind === 'moons') {
    // Class c: half circle centred at (c, 0.5·(c mod 2)), upper for even c, lower for odd (c = 0, 1 is make_moons).
    const t = Math.PI * rng.uniform();
    const s = c % 2 === 0 ? 1 : -1;
    out[at] = c + s * Math.cos(t) + spec.noise * rng.normal();
    out[at + 1] = 0.5 * (c % 2) + s * Math.sin(t) + spec.noise * rng.normal();
  } else {
    const r = rng.uniform();
    const theta = (4 * (c + r) * 2 * Math.PI) / (4 * k) + 4 * r + spec.noise * rng.normal();
    out[at] = r * Math.sin(theta);
    out[at + 1] = r * Math.cos(theta);
  }
}

/** Generates `count` balanced examples (class i mod K), seeded. */
export function generateSynthetic(
  spec: SyntheticSpec,
  count: number,
  seed: number,
): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(spec.seed * 1000 + 1);
  // Blob centres depend on the set's seed only, so train and test share them.
  const centres = new Float64Array(spec.classes * spec.features);
  for (let c = 0; c < spec.classes; c++) {
    if (spec.features === 2) {
      centres[c * 2] = 4 * Math.cos((2 * Math.PI * c) / spec.classes);
      centres[c * 2 + 1] = 4 * Math.sin((2 * Math.PI * c) / spec.classes);
    } else for (let j = 0; j < spec.features; j++) centres[c * spec.features + j] = 4 * rng.normal();
  }
  const draw = new Rng(seed);
  const x = new Float32Array(count * spec.features);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % spec.classes;
    y[i] = c;
    point(spec, c, draw, centres, x, i * spec.features);
  }
  return { x, y };
}

/** A generated set as an import source (tabular, train and test drawn with different seeds). */
export function syntheticSource(spec: SyntheticSpec, name: string): ImportSource {
  const train = generateSynthetic(spec, spec.train, spec.seed * 2 + 11);
  const test = generateSynthetic(spec, spec.test, spec.seed * 2 + 12);
  const description = JSON.stringify({ generator: 1, ...spec });
  return {
    format: 'synthetic',
    name,
    kind: 'tabular',
    shape: [spec.features],
    dtype: 'float32',
    classNames: numericClassNames(spec.classes),
    splits: [
      { name: 'train', count: spec.train, countsPerClass: countClasses(train.y, spec.classes) },
      { name: 'test', count: spec.test, countsPerClass: countClasses(test.y, spec.classes) },
    ],
    warnings: [],
    files: [],
    root: `synthetic:${spec.kind}?classes=${spec.classes}&features=${spec.features}&seed=${spec.seed}`,
    checksum: createHash('sha256').update(description).digest('hex'),
    samples: () => Promise.resolve([]),
    async emit(writer): Promise<void> {
      await (await writer.split('train', spec.train)).write(train.x, train.y);
      await (await writer.split('test', spec.test)).write(test.x, test.y);
    },
  };
}
