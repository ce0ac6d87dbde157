import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, type ForwardContext } from '../nn/layers.js';
import { ParamSet } from '../nn/params.js';
import { tapper, type Model, type TapInfo } from './model.js';

type Block = (x: tf.Tensor4D, ctx: ForwardContext, relu: (t: tf.Tensor4D) => tf.Tensor4D) => tf.Tensor4D;

/**
 * One post-activation basic block of the authors' code (graph_kd `PreActBlock`, which despite its
 * name is post-activation): conv3×3 → BN → ReLU → conv3×3 → BN, plus the shortcut, then ReLU.
 * `relu` records each ReLU output as a tap.
 */
function basicBlock(ps: ParamSet, name: string, inC: number, outC: number, stride: number): Block {
  // Kaiming fan_out is the standard wide-resnet init (and graph_kd's utils.init_params, which its
  // training scripts never call, so the published runs actually started from PyTorch's default).
  const conv = { bias: false, init: 'kaiming-normal-fan-out' } as const;
  const conv1 = conv2d(ps, `${name}.conv1`, { inC, outC, k: 3, stride, ...conv });
  const bn1 = batchNorm(ps, `${name}.bn1`, outC);
  const conv2 = conv2d(ps, `${name}.conv2`, { inC: outC, outC, k: 3, ...conv });
  const bn2 = batchNorm(ps, `${name}.bn2`, outC);
  // Projection only when the shape changes (a stride or a channel change, including the
  // 16 → int(16w) change at the start of stage 1 when w ≠ 1), as in the reference.
  const project = stride !== 1 || inC !== outC;
  const scConv = project
    ? conv2d(ps, `${name}.shortcut.conv`, { inC, outC, k: 1, stride, ...conv })
    : undefined;
  const scBn = project ? batchNorm(ps, `${name}.shortcut.bn`, outC) : undefined;
  return (x, ctx, relu) => {
    const h = relu(bn1(conv1(x), ctx));
    const y = bn2(conv2(h), ctx);
    const sc = scConv && scBn ? scBn(scConv(x), ctx) : x;
    return relu(tf.add(y, sc));
  };
}

/**
 * WideResNet-depth-width as in cadurosar/graph_kd (`PreActWideResNet`, METHODS.md §3):
 * conv3×3 16 → BN → ReLU stem, three stages of n = (depth − 4)/6 post-activation basic blocks with
 * widths int(16w), int(32w), int(64w) and strides 1, 2, 2, global average pool, dense head.
 * Convolutions have no bias; shortcut projections are 1×1 conv + BN. The stem BN and the shortcut
 * BNs are what make the counts exact: WRN-28-1 = 369,690 and WRN-28-0.5 = 94,154 for 10 classes.
 *
 * Taps: every ReLU output `relu.<i>` (stem first, then two per block), `stage1` and `stage2` (the
 * stage outputs) and `stage3` = the globally average-pooled stage-3 output (also the embedding),
 * which are the three representations GKD pairs.
 */
export function createWrn(
  inputShape: readonly number[],
  depth: number,
  width: number,
  outputDim: number,
  seed: number,
): Model {
  if (depth < 10 || (depth - 4) % 6 !== 0)
    throw new Error(`WRN depth must be 6n + 4 with n ≥ 1, got ${depth}`);
  if (!(width > 0)) throw new Error(`WRN width must be > 0, got ${width}`);
  if (inputShape.length !== 3)
    throw new Error(`WRN expects an [H, W, C] input, got [${inputShape.join(', ')}]`);
  const n = (depth - 4) / 6;
  const inC = inputShape[2] ?? 3;
  const stem = 16;
  // The reference writes int(16·w·2) and int(16·w·4); same rounding as int(32w), int(64w) in
  // exact arithmetic, and floating point agrees for the usual w. Never fewer than one channel.
  const widths = [1, 2, 4].map((m) => Math.max(1, Math.floor(stem * width * m)));
  const params = new ParamSet(seed);
  const conv1 = conv2d(params, 'conv1', {
    inC,
    outC: stem,
    k: 3,
    bias: false,
    init: 'kaiming-normal-fan-out',
  });
  const bn = batchNorm(params, 'bn', stem);
  const stages: Block[][] = [];
  let c = stem;
  widths.forEach((w, s) => {
    const blocks: Block[] = [];
    for (let b = 0; b < n; b++) {
      blocks.push(basicBlock(params, `layer${s + 1}.${b}`, c, w, b === 0 && s > 0 ? 2 : 1));
      c = w;
    }
    stages.push(blocks);
  });
  const linear = dense(params, 'linear', c, outputDim);

  const taps: TapInfo[] = [];
  let relus = 0;
  const reluTap = (blockOutput = false): void => {
    taps.push({ name: `relu.${relus++}`, kinds: blockOutput ? ['relu', 'block'] : ['relu'] });
  };
  reluTap();
  stages.forEach((blocks, s) => {
    for (let b = 0; b < blocks.length; b++) {
      reluTap();
      // A post-activation block ends in its second ReLU: that output is the block's.
      reluTap(true);
    }
    taps.push({ name: `stage${s + 1}`, kinds: s === stages.length - 1 ? ['stage', 'embedding'] : ['stage'] });
  });

  return {
    description: `WRN-${depth}-${width}`,
    inputShape,
    outputDim,
    params,
    taps,
    forward(x: tf.Tensor, ctx: ForwardContext, want) {
      const { taps: out, tap } = tapper(want, ctx);
      let i = 0;
      const relu = (t: tf.Tensor4D): tf.Tensor4D => tap(`relu.${i++}`, tf.relu(t));
      let h = relu(bn(conv1(x as tf.Tensor4D), ctx));
      stages.forEach((blocks, s) => {
        for (const block of blocks) h = block(h, ctx, relu);
        if (s < stages.length - 1) tap(`stage${s + 1}`, h);
      });
      // GKD reads the last stage after global average pooling (the reference's `pool3`).
      const pooled = tap(`stage${stages.length}`, tf.mean<tf.Tensor2D>(h, [1, 2]));
      return { output: linear(pooled), taps: out };
    },
  };
}
