import type { DatasetMeta } from '../../../shared/dataset-types.js';
import { DatasetStore } from '../../host/datasets/dataset-store.js';
import { defineCommand, UsageError } from '../command.js';
import { didYouMean } from '../../../shared/suggest.js';
import { table } from '../format.js';

function size(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e3).toFixed(1)} kB`;
}

function row(m: DatasetMeta): string[] {
  const shape = m.kind === 'tabular' ? `${m.shape[0] ?? 0} features` : m.shape.join('×');
  const kind =
    m.kind === 'corruptions'
      ? `corruptions (${m.corruptions?.length ?? 0})${m.linkedTo ? ` → ${m.linkedTo}` : ''}`
      : m.kind;
  return [
    m.id,
    m.name,
    kind,
    shape,
    String(m.classNames.length),
    String(m.splits.train?.count ?? '—'),
    String(m.splits.test?.count ?? '—'),
    size(m.bytes),
  ];
}

/** `lgg-lab datasets`: list, show or remove stored datasets. */
export const datasetsCommand = defineCommand({
  name: 'datasets',
  summary: 'list stored datasets; datasets show <id>; datasets rm <id>',
  usage: [
    'usage: lgg-lab datasets [--json]      list the stored datasets',
    '       lgg-lab datasets show <id>     print a dataset’s meta.json',
    '       lgg-lab datasets rm <id>       remove a dataset',
  ].join('\n'),
  options: { json: { type: 'boolean', help: 'list as JSON' } },
  maxPositionals: 2,
  async run(args, ctx): Promise<number> {
    const store = new DatasetStore(ctx.dataDir);
    const [sub, id] = args.positionals;
    if (sub === undefined || sub === 'list' || sub === 'ls') {
      const metas = await store.list();
      for (const p of store.lastProblems) ctx.err(`skipped datasets/${p.id}: ${p.message}`);
      if (args.options.json) ctx.out(JSON.stringify(metas, null, 2));
      else if (metas.length === 0)
        ctx.out(
          'no datasets yet: lgg-lab import <path> (MNIST and the synthetic sets are added on first use)',
        );
      else
        ctx.out(table(['id', 'name', 'kind', 'shape', 'classes', 'train', 'test', 'size'], metas.map(row)));
      return 0;
    }
    if (sub !== 'rm' && sub !== 'remove' && sub !== 'show')
      throw new UsageError(
        `unknown sub-command "${sub}"${didYouMean(sub, ['list', 'show', 'rm', 'remove'])}`,
      );
    if (id === undefined) throw new UsageError(`datasets ${sub} needs a dataset id`);
    if (sub === 'show') {
      ctx.out(JSON.stringify(await store.get(id), null, 2));
      return 0;
    }
    if (await store.remove(id)) {
      ctx.out(`removed ${id}`);
      return 0;
    }
    ctx.err(`no dataset "${id}"`);
    return 1;
  },
});
