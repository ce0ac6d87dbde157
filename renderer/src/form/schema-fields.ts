import type { z } from 'zod';

/** The parts of a zod 4 schema the form reads (`schema.def` and a few getters). */
interface ZodLike {
  def: {
    type: string;
    innerType?: ZodLike;
    shape?: Record<string, ZodLike>;
    entries?: Record<string, string | number>;
    values?: unknown[];
    options?: ZodLike[];
    element?: ZodLike;
    discriminator?: string;
    defaultValue?: unknown;
  };
  minValue?: number | null;
  maxValue?: number | null;
  isInt?: boolean;
}

/** A leaf input. */
export interface LeafField {
  kind: 'number' | 'boolean' | 'enum' | 'string' | 'numbers' | 'json';
  /** Path in the spec. */
  path: string[];
  /** Label for humans. */
  label: string;
  /** `null` is allowed (shown as a "none"/"all" toggle). */
  nullable: boolean;
  /** Integers only. */
  int?: boolean;
  /** Bounds from the schema. */
  min?: number;
  max?: number;
  /** Choices of an enum (or of a union of literals). */
  options?: (string | number)[];
}

/** A nested object shown as a sub-group (nullable ones can be switched off). */
export interface ObjectField {
  kind: 'object';
  path: string[];
  label: string;
  nullable: boolean;
  fields: Field[];
  /** Value used when a nullable object is switched back on. */
  defaultValue?: unknown;
}

/** A discriminated union (model architecture, LR schedule): a choice plus that variant's fields. */
export interface VariantField {
  kind: 'variant';
  path: string[];
  label: string;
  /** The discriminating key (`arch`, `type`). */
  discriminator: string;
  /** Variant value → its other fields. */
  variants: Record<string, Field[]>;
}

/** Any field of the form. */
export type Field = LeafField | ObjectField | VariantField;

const LABELS: Record<string, string> = {
  lr: 'learning rate',
  minLr: 'final learning rate',
  weightDecay: 'weight decay',
  batchSize: 'batch size',
  cropPadding: 'random-crop padding (px)',
  trainSubset: 'training subset (examples)',
  stepsPerEpoch: 'steps per epoch (cap)',
  evalSubset: 'evaluation subset (examples)',
  validationFraction: 'validation fraction',
  checkpointEvery: 'checkpoint every (epochs)',
  divergenceLoss: 'divergence loss threshold',
  perClass: 'probe examples per class',
  probeTaps: 'probed layers',
  rbfAlpha: 'RBF α',
  embeddingDim: 'embedding dimension',
  fitSubset: 'k-NN fit subset (examples)',
  knn: 'k of the k-NN classifiers',
  maskSource: 'kNN mask source',
  selfLoops: 'self-loops',
  k: 'k (kNN sparsification)',
  power: 'power p',
  gamma: 'γ',
  beta: 'β',
  m: 'm (Laplacian power)',
  alpha: 'α',
  temperature: 'temperature T',
  distanceWeight: 'distance weight',
  angleWeight: 'angle weight',
  quantizationBits: 'quantisation bits',
  perturbedProfiles: 'perturbed σ profiles',
  inApp: 'in-app corruptions',
  snrDb: 'SNR (dB)',
  randomStart: 'random start',
  protocols: 'protocols',
  dropoutDraws: 'dropout draws',
  normalizeConstants: 'normalisation constants (recipe)',
  rbfScale: 'RBF scale guard',
  network: 'Parseval network for P and P+R',
  every: 'every n-th example',
  candidates: 'candidate classes',
};

/** `weightDecay` → `weight decay`, unless a better label is known. */
export function labelOf(key: string): string {
  return LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function unwrap(s: ZodLike): { inner: ZodLike; nullable: boolean; defaultValue: unknown } {
  let inner = s;
  let nullable = false;
  let defaultValue: unknown;
  for (;;) {
    const t = inner.def.type;
    if ((t === 'default' || t === 'prefault') && inner.def.innerType) {
      defaultValue ??= inner.def.defaultValue;
      inner = inner.def.innerType;
    } else if ((t === 'nullable' || t === 'optional') && inner.def.innerType) {
      nullable ||= t === 'nullable';
      inner = inner.def.innerType;
    } else return { inner, nullable, defaultValue };
  }
}

function literalsOf(s: ZodLike): (string | number)[] | null {
  const { inner } = unwrap(s);
  if (inner.def.type === 'enum' && inner.def.entries) return Object.values(inner.def.entries);
  if (inner.def.type === 'literal') return (inner.def.values ?? []) as (string | number)[];
  if (inner.def.type === 'union' && !inner.def.discriminator) {
    const all = (inner.def.options ?? []).map(literalsOf);
    return all.every((x) => x !== null) ? all.flat() : null;
  }
  return null;
}

function bounds(n: ZodLike): Pick<LeafField, 'min' | 'max' | 'int'> {
  const out: Pick<LeafField, 'min' | 'max' | 'int'> = {};
  if (typeof n.minValue === 'number' && Number.isFinite(n.minValue)) out.min = n.minValue;
  if (typeof n.maxValue === 'number' && Number.isFinite(n.maxValue) && n.maxValue < 1e15)
    out.max = n.maxValue;
  if (n.isInt) out.int = true;
  return out;
}

function fieldOf(
  key: string,
  schema: ZodLike,
  path: string[],
  skip: (path: string[]) => boolean,
): Field | null {
  const { inner, nullable, defaultValue } = unwrap(schema);
  const label = labelOf(key);
  const lits = literalsOf(inner);
  if (lits) return { kind: 'enum', path, label, nullable, options: lits };
  switch (inner.def.type) {
    case 'number':
      return { kind: 'number', path, label, nullable, ...bounds(inner) };
    case 'boolean':
      return { kind: 'boolean', path, label, nullable };
    case 'string':
      return { kind: 'string', path, label, nullable };
    case 'array':
      return inner.def.element && unwrap(inner.def.element).inner.def.type === 'number'
        ? { kind: 'numbers', path, label, nullable }
        : { kind: 'json', path, label, nullable };
    case 'object':
      return {
        kind: 'object',
        path,
        label,
        nullable,
        fields: fieldsOf(inner as unknown as z.ZodObject, path, skip),
        defaultValue,
      };
    case 'union': {
      const d = inner.def.discriminator;
      if (!d) break;
      const variants: Record<string, Field[]> = {};
      for (const option of inner.def.options ?? []) {
        const shape = option.def.shape ?? {};
        const tag = shape[d] ? literalsOf(shape[d])?.[0] : undefined;
        if (tag === undefined) continue;
        variants[String(tag)] = fieldsOf(
          option as unknown as z.ZodObject,
          path,
          (p) => skip(p) || p[p.length - 1] === d,
        );
      }
      return { kind: 'variant', path, label, discriminator: d, variants };
    }
  }
  return { kind: 'json', path, label, nullable };
}

/** The form fields of an object schema, in declaration order; `skip` hides paths. */
export function fieldsOf(
  schema: z.ZodObject,
  prefix: string[] = [],
  skip: (path: string[]) => boolean = () => false,
): Field[] {
  const shape = (schema as unknown as ZodLike).def.shape ?? {};
  const out: Field[] = [];
  for (const [key, child] of Object.entries(shape)) {
    const path = [...prefix, key];
    if (skip(path)) continue;
    const f = fieldOf(key, child, path, skip);
    if (f) out.push(f);
  }
  return out;
}

/** The value at `path` of a nested object. */
export function getAt(root: unknown, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Sets the value at `path`, creating objects on the way; `undefined` deletes (defaults apply). */
export function setAt(root: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o: Record<string, unknown> = root;
  path.slice(0, -1).forEach((k) => {
    const next = o[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  });
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (value === undefined) delete o[last];
  else o[last] = value;
}
