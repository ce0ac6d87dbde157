import path from 'node:path';
import { LggOptionsSchema } from '../../../shared/lgg-options.js';
import { formatIssues, specIssues } from '../../../shared/spec/index.js';
import { optList, optNumber, optString, UsageError, type Command } from '../command.js';
import { withHost } from './host-context.js';

/** `lgg-lab analyze`. */
export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'LGG metrics (σ, sparsity, GKD term) of embeddings saved as .npy, from any framework',
  usage: [
    'lgg-lab analyze <layer0.npy> [layer1.npy …] --labels labels.npy [options]',
    '  layers: one .npy per layer, B×D or B×… (flattened); labels: B integers',
    '  --teacher t0.npy [--teacher t1.npy …]   teacher layers, paired in order (GKD term per pair)',
    '  --similarity cosine|rbf  --alpha A  --negatives keep|clamp  --self-loops remove|keep',
    '  --normalization sym|none  --k N  --mask-source teacher|own  --power P',
    '  --gkd-weight 25  --reduction sum|mean  --save-graph <folder>',
    'Prints JSON: per layer σ (m = 1, 2), σ per inter-class pair, sparsity; teacher layers; gkd.',
  ].join('\n'),
  async run(args, ctx) {
    const labels = optString(args, 'labels');
    if (!labels) throw new UsageError('--labels <labels.npy> is required');
    if (args.positionals.length === 0) throw new UsageError('give at least one layer .npy');
    const k = optString(args, 'k');
    const raw = {
      similarity: optString(args, 'similarity'),
      rbfAlpha: optNumber(args, 'alpha'),
      negatives: optString(args, 'negatives'),
      selfLoops: optString(args, 'self-loops'),
      normalization: optString(args, 'normalization'),
      k: k === undefined || k === 'dense' || k === 'null' ? null : Number(k),
      maskSource: optString(args, 'mask-source'),
      power: optNumber(args, 'power'),
    };
    const lgg = LggOptionsSchema.safeParse(
      Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    );
    if (!lgg.success) throw new UsageError(formatIssues(specIssues(lgg.error)));
    const reduction = optString(args, 'reduction') ?? 'sum';
    if (reduction !== 'sum' && reduction !== 'mean') throw new UsageError('--reduction is sum or mean');
    const teachers = optList(args, 'teacher').map((f) => path.resolve(f));
    const saveGraph = optString(args, 'save-graph');
    return withHost(ctx, async (host) => {
      const o = await host.runJob({
        type: 'analyze',
        layers: args.positionals.map((f) => path.resolve(f)),
        labels: path.resolve(labels),
        ...(teachers.length > 0 ? { teacherLayers: teachers } : {}),
        lgg: lgg.data,
        gkd: { weight: optNumber(args, 'gkd-weight') ?? 25, reduction },
        ...(saveGraph ? { saveGraphDir: path.resolve(saveGraph) } : {}),
      });
      ctx.out(JSON.stringify(o.value, null, 2));
      return 0;
    });
  },
};
