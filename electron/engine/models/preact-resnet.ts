import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, type ConvOptions, type ForwardContext } from '../nn/layers.js';
import { ParamSet } from '../nn/params.js';
import { tapper, type Model, type TapInfo } from './model.js';

type Block = (x: tf.Tensor4D, ctx: ForwardContext, relu: (t: tf.Tensor4D) => tf.Tensor4D) => tf.Tensor4D;

// Neither kuangliu/pytorch-cifar nor cadurosar/laplacian_networks re-initialises its layers, so the
// reference networks start from PyTorch's default Conv2d init; keep that to match their runs.
const CONV: Pick<ConvOptions, 'bias' | 'init'> = { bias: false, init: 'torch-default' };

/**
 * Weight multiplier of a Parseval convolution (laplacian_networks' `Parseval_Conv2d`): the forward
 * pass uses W / √(2·k_h·k_w + 1), so a layer whose stored weight is orthonormal (what the retraction
 * maintains) stays a contraction once the 3×3 neighbourhood overlap is counted.
 */
export function parsevalConvScale(k: number): number {
  return 1 / Math.sqrt(2 * k * k + 1);
}

/**
 * PreActBlock: r1 = relu(bn1(x)); shortcut = x, or conv1×1(r1) when the shape changes;
 * out = conv2(relu(bn2(conv1(r1)))) + shortcut. No activation on the sum: the next block's bn1
 * (or the network's final ReLU) follows it. The Parseval variant (PreActParsevalBlock) scales every
 * convolution by {@link parsevalConvScale} and returns 0.5·out + 0.5·shortcut.
 */
function preActBlock(
  ps: ParamSet,
  name: string,
  inC: number,
  outC: number,
  stride: number,
  parseval: boolean,
): Block {
  const conv = (k: number): Pick<ConvOptions, 'bias' | 'init' | 'weightScale'> =>
    parseval ? { ...CONV, weightScale: parsevalConvScale(k) } : CONV;
  const bn1 = batchNorm(ps, `${name}.bn1`, inC);
  const conv1 = conv2d(ps, `${name}.conv1`, { inC, outC, k: 3, stride, ...conv(3) });
  const bn2 = batchNorm(ps, `${name}.bn2`, outC);
  const conv2 = conv2d(ps, `${name}.conv2`, { inC: outC, outC, k: 3, ...conv(3) });
  const shortcut =
    stride !== 1 || inC !== outC
      ? conv2d(ps, `${name}.shortcut`, { inC, outC, k: 1, stride, ...conv(1) })
      : undefined;
  return (x, ctx, relu) => {
    const r1 = relu(bn1(x, ctx));
    const sc = shortcut ? shortcut(r1) : x;
    const r2 = relu(bn2(conv1(r1), ctx));
    const out = conv2(r2);
    return parseval ? tf.mul(tf.add(out, sc), 0.5) : tf.add(out, sc);
  };
}

/**
 * Pre-activation ResNet-18 (kuangliu/pytorch-cifar `PreActResNet18`, as extended by
 * cadurosar/laplacian_networks): conv3×3 64w stem (no BN/ReLU after it), four stages of two
 * PreActBlocks with widths 64w, 128w, 256w, 512w and strides 1, 2, 2, 2, then a final ReLU with
 * no BN (laplacian_networks' `F.relu(out)`; pytorch-cifar has neither), global average pool and a
 * dense head. At width 1 and 10 classes this has 11,171,146 trainable parameters, exactly
 * PyTorch's count (the final ReLU has no parameters).
 *
 * `parseval` builds the authors' Parseval network (`PreActResNet18Parseval`, METHODS.md §7): every
 * convolution — the first one and the 1×1 shortcuts included — uses its weight divided by
 * √(2·k_h·k_w + 1) in the forward pass, and each block returns 0.5·out + 0.5·shortcut. Same
 * parameters, same names: only the forward pass differs.
 *
 * Taps, input side first: the 17 ReLU outputs `relu.0` … `relu.16` (two per block, then the final
 * one; the representations of METHODS.md §5), the 8 block outputs `block.0` … `block.7` (where the
 * authors' test-time dropout acts), the stage outputs `stage1` … `stage4` (the residual sums ending
 * each stage, before any activation: the same tensors as `block.1`, `block.3`, …), and `embedding`
 * (the pooled final ReLU).
 */
export function createPreActResNet18(
  inputShape: readonly number[],
  width: number,
  outputDim: number,
  seed: number,
  parseval = false,
): Model {
  if (!(width > 0)) throw new Error(`PreActResNet18 width must be > 0, got ${width}`);
  if (inputShape.length !== 3)
    throw new Error(`PreActResNet18 expects an [H, W, C] input, got [${inputShape.join(', ')}]`);
  const inC = inputShape[2] ?? 3;
  const widths = [64, 128, 256, 512].map((c) => Math.max(1, Math.floor(c * width)));
  const params = new ParamSet(seed);
  const stemC = widths[0] ?? 64;
  const conv1 = conv2d(params, 'conv1', {
    inC,
    outC: stemC,
    k: 3,
    ...CONV,
    ...(parseval ? { weightScale: parsevalConvScale(3) } : {}),
  });
  const stages: Block[][] = [];
  let c = stemC;
  widths.forEach((w, s) => {
    const stride = s === 0 ? 1 : 2;
    stages.push([
      preActBlock(params, `layer${s + 1}.0`, c, w, stride, parseval),
      preActBlock(params, `layer${s + 1}.1`, w, w, 1, parseval),
    ]);
    c = w;
  });
  const linear = dense(params, 'linear', c, outputDim);

  const taps: TapInfo[] = [];
  let relus = 0;
  const reluTap = (): void => {
    taps.push({ name: `relu.${relus++}`, kinds: ['relu'] });
  };
  let blockTaps = 0;
  stages.forEach((blocks, s) => {
    for (let b = 0; b < blocks.length; b++) {
      reluTap();
      reluTap();
      taps.push({ name: `block.${blockTaps++}`, kinds: ['block'] });
    }
    taps.push({ name: `stage${s + 1}`, kinds: ['stage'] });
  });
  reluTap();
  taps.push({ name: 'embedding', kinds: ['embedding'] });

  return {
    description: `PreActResNet-18${width === 1 ? '' : ` ×${width}`}${parseval ? ' (Parseval)' : ''}`,
    inputShape,
    outputDim,
    params,
    taps,
    forward(x: tf.Tensor, ctx: ForwardContext, want) {
      const { taps: out, tap } = tapper(want, ctx);
      let i = 0;
      let b = 0;
      const relu = (t: tf.Tensor4D): tf.Tensor4D => tap(`relu.${i++}`, tf.relu(t));
      let h = conv1(x as tf.Tensor4D);
      stages.forEach((blocks, s) => {
        for (const block of blocks) h = tap(`block.${b++}`, block(h, ctx, relu));
        tap(`stage${s + 1}`, h);
      });
      const pooled = tap('embedding', tf.mean<tf.Tensor2D>(relu(h), [1, 2]));
      return { output: linear(pooled), taps: out };
    },
  };
}
