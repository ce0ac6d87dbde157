// Help text of the form's fields: the doc comments of the spec schemas themselves (shared/spec,
// shared/lgg-options), read from their source at build time, so the form says what the code says
// and nothing is written twice.

/** The schema sources, as text (Vite inlines them when the renderer is built). */
const SOURCES = import.meta.glob<string>(['../../../shared/spec/*.ts', '../../../shared/lgg-options.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** A documented field: the schema constant it is declared in, and its doc. */
interface FieldDoc {
  schema: string;
  doc: string;
}

/** `/** doc *\/ name:` pairs of a source, each with the `const XSchema` it sits in. */
export function parseFieldDocs(source: string): Map<string, FieldDoc[]> {
  const out = new Map<string, FieldDoc[]>();
  const consts = [...source.matchAll(/export const (\w+)\s*=/g)].map((m) => ({
    name: m[1] ?? '',
    at: m.index,
  }));
  for (const m of source.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+)\s*:/g)) {
    const doc = (m[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, '').trim())
      .filter(Boolean)
      .join(' ');
    const name = m[2] ?? '';
    const schema = [...consts].reverse().find((c) => c.at < m.index)?.name ?? '';
    (out.get(name) ?? out.set(name, []).get(name))?.push({ schema, doc });
  }
  return out;
}

const DOCS = (() => {
  const all = new Map<string, FieldDoc[]>();
  for (const src of Object.values(SOURCES))
    for (const [name, docs] of parseFieldDocs(src)) all.set(name, [...(all.get(name) ?? []), ...docs]);
  return all;
})();

/**
 * The doc of the field at `path`: the only one of its name, else the one declared in the schema
 * named after its parent (`training.epochs` → `TrainingSchema`, `probe.epochs` → `ProbeSchema`).
 */
export function fieldDoc(path: readonly string[]): string | undefined {
  const name = path[path.length - 1] ?? '';
  const docs = DOCS.get(name);
  if (!docs || docs.length === 0) return undefined;
  if (docs.length === 1 || new Set(docs.map((d) => d.doc)).size === 1) return docs[0]?.doc;
  const parent = (path[path.length - 2] ?? '').toLowerCase();
  return (docs.find((d) => d.schema.toLowerCase().startsWith(parent)) ?? docs[0])?.doc;
}
