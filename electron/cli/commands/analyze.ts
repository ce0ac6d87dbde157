import path from 'node:path';
import { LggOptionsSchema } from '../../../shared/lgg-options.js';
import { formatIssues, specIssues } from '../../../shared/spec/index.js';
import { defineCommand, oneOf, UsageError } from '../command.js';
import { withHost } from './host-context.js';

/** `lgg-lab analyze`. */
export const analyzeCommand = defineCommand({
  name: 'analyze',
  summary: 'LGG metrics (σ, sparsity, GKD term) of embeddings saved as .npy, from any framework',
  usage: [
    'lgg-lab analyze <layer0.npy> [layer1.npy …] --labels labels.npy [options]',
    '  layers: one .npy per layer, B×D or B×… (flattened); labels: B integers',
    'Prints JSON: per layer σ (m = 1, 2), σ per inter-class pair, sparsity; teacher layers; gkd.',
  ].join('\n'),
  options: {
    labels: { type: 'string', value: 'FILE.npy', help: 'B integer labels (required)' },
    teacher: {
      type: 'string',
      multiple: true,
      value: 'FILE.npy',
      help: 'a teacher layer, paired in order with the layers (GKD term per pair)',
    },
    similarity: { type: 'string', value: 'cosine|rbf', help: 'similarity of the graph (default cosine)' },
    alpha: { type: 'number', value: 'A', help: 'α of the RBF kernel (default 1)' },
    negatives: { type: 'string', value: 'keep|clamp', help: 'negative similarities (default keep)' },
    'self-loops': { type: 'string', value: 'remove|keep', help: 'the diagonal (default remove)' },
    normalization: { type: 'string', value: 'sym|none', help: 'normalisation (default sym)' },
    k: { type: 'string', value: 'N|dense', help: 'kNN sparsification (default dense)' },
    'mask-source': {
      type: 'string',
      value: 'teacher|own',
      help: 'where a student graph’s kNN mask comes from (default teacher)',
    },
    power: { type: 'number', value: 'P', help: 'matrix power of the graph (default 1)' },
    'gkd-weight': { type: 'number', value: 'W', help: 'λ of the GKD term (default 25)' },
    reduction: { type: 'string', value: 'sum|mean', help: 'reduction of the GKD term (default sum)' },
    'save-graph': { type: 'string', value: 'DIR', help: 'also write the graphs as .npy into this folder' },
  },
  maxPositionals: Number.POSITIVE_INFINITY,
  async run(args, ctx) {
    const o = args.options;
    const labels = o.labels;
    if (!labels) throw new UsageError('--labels <labels.npy> is required');
    if (args.positionals.length === 0) throw new UsageError('give at least one layer .npy');
    const k = o.k;
    if (k !== undefined && k !== 'dense' && k !== 'null' && !/^\d+$/.test(k))
      throw new UsageError(`--k expects a positive integer or "dense", got "${k}"`);
    const raw = {
      similarity: o.similarity,
      rbfAlpha: o.alpha,
      negatives: o.negatives,
      selfLoops: o['self-loops'],
      normalization: o.normalization,
      k: k === undefined || k === 'dense' || k === 'null' ? null : Number(k),
      maskSource: o['mask-source'],
      power: o.power,
    };
    const lgg = LggOptionsSchema.safeParse(
      Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    );
    if (!lgg.success) throw new UsageError(formatIssues(specIssues(lgg.error)));
    const reduction = oneOf('reduction', o.reduction, ['sum', 'mean'] as const) ?? 'sum';
    const teachers = (o.teacher ?? []).map((f) => path.resolve(f));
    const saveGraph = o['save-graph'];
    return withHost(ctx, async (host) => {
      const job = await host.runJob({
        type: 'analyze',
        layers: args.positionals.map((f) => path.resolve(f)),
        labels: path.resolve(labels),
        ...(teachers.length > 0 ? { teacherLayers: teachers } : {}),
        lgg: lgg.data,
        gkd: { weight: o['gkd-weight'] ?? 25, reduction },
        ...(saveGraph ? { saveGraphDir: path.resolve(saveGraph) } : {}),
      });
      ctx.out(JSON.stringify(job.value, null, 2));
      return 0;
    });
  },
});
