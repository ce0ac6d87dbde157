import type { ModelSpec } from './spec/index.js';

// The size and forward arithmetic of the lab's networks, from their spec alone: the New-experiment
// estimate shows them, and the engine sizes a run's replicas by them (threads.ts).

/** Size and cost of a model on an input shape. */
export interface ModelCost {
  /** Trainable parameters (batch-norm γ and β included, running statistics not). */
  parameters: number;
  /** Multiply-accumulates of one forward pass of one example. */
  macs: number;
  /** The part of `macs` spent in convolutions (they run slower per MAC than dense layers). */
  convMacs: number;
}

function conv(inC: number, outC: number, k: number, outH: number, outW: number, bias: boolean): ModelCost {
  const macs = k * k * inC * outC * outH * outW;
  return { parameters: k * k * inC * outC + (bias ? outC : 0), macs, convMacs: macs };
}

function add(...parts: ModelCost[]): ModelCost {
  return parts.reduce(
    (a, b) => ({
      parameters: a.parameters + b.parameters,
      macs: a.macs + b.macs,
      convMacs: a.convMacs + b.convMacs,
    }),
    { parameters: 0, macs: 0, convMacs: 0 },
  );
}

function dense(inF: number, outF: number): ModelCost {
  return { parameters: inF * outF + outF, macs: inF * outF, convMacs: 0 };
}

const bn = (c: number): ModelCost => ({ parameters: 2 * c, macs: 0, convMacs: 0 });

function refCnn(h: number, w: number, c: number, width: number, out: number): ModelCost {
  const c1 = Math.max(1, Math.floor(32 * width));
  const c2 = Math.max(1, Math.floor(64 * width));
  const hid = Math.max(1, Math.floor(128 * width));
  const h1 = Math.floor(h / 2);
  const w1 = Math.floor(w / 2);
  const h2 = Math.floor(h1 / 2);
  const w2 = Math.floor(w1 / 2);
  return add(
    conv(c, c1, 3, h, w, true),
    conv(c1, c2, 3, h1, w1, true),
    dense(c2 * h2 * w2, hid),
    dense(hid, out),
  );
}

function wrn(h: number, w: number, c: number, depth: number, width: number, out: number): ModelCost {
  const n = (depth - 4) / 6;
  const widths = [Math.floor(16 * width), Math.floor(32 * width), Math.floor(64 * width)];
  const parts: ModelCost[] = [conv(c, 16, 3, h, w, false), bn(16)];
  let cin = 16;
  let hh = h;
  let ww = w;
  widths.forEach((cout, s) => {
    for (let b = 0; b < n; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      hh = Math.ceil(hh / stride);
      ww = Math.ceil(ww / stride);
      parts.push(conv(cin, cout, 3, hh, ww, false), bn(cout), conv(cout, cout, 3, hh, ww, false), bn(cout));
      if (cin !== cout || stride !== 1) parts.push(conv(cin, cout, 1, hh, ww, false), bn(cout));
      cin = cout;
    }
  });
  parts.push(dense(cin, out));
  return add(...parts);
}

function preActResNet18(h: number, w: number, c: number, width: number, out: number): ModelCost {
  const widths = [64, 128, 256, 512].map((x) => Math.max(1, Math.floor(x * width)));
  const stem = widths[0] ?? 64;
  const parts: ModelCost[] = [conv(c, stem, 3, h, w, false)];
  let cin = stem;
  let hh = h;
  let ww = w;
  widths.forEach((cout, s) => {
    for (let b = 0; b < 2; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      hh = Math.ceil(hh / stride);
      ww = Math.ceil(ww / stride);
      parts.push(bn(cin), conv(cin, cout, 3, hh, ww, false), bn(cout), conv(cout, cout, 3, hh, ww, false));
      if (cin !== cout || stride !== 1) parts.push(conv(cin, cout, 1, hh, ww, false));
      cin = cout;
    }
  });
  parts.push(dense(cin, out));
  return add(...parts);
}

/** Parameters and forward cost of `model` on examples of `shape` ([H, W, C] or [features]). */
export function modelCost(model: ModelSpec, shape: readonly number[], outputs: number): ModelCost {
  const [h = 1, w = 1, c = 1] = shape.length === 3 ? shape : [1, 1, shape[0] ?? 1];
  switch (model.arch) {
    case 'mlp': {
      const sizes = [h * w * c, ...model.hidden, outputs];
      return add(...sizes.slice(1).map((s, i) => dense(sizes[i] ?? 1, s)));
    }
    case 'ref-cnn':
      return refCnn(h, w, c, model.width, outputs);
    case 'wrn':
      return wrn(h, w, c, model.depth, model.width, outputs);
    case 'preact-resnet18':
      return preActResNet18(h, w, c, model.width, outputs);
  }
}
