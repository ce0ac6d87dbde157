import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/model.js';
import type { Sgd } from '../train/sgd.js';

/**
 * Everything a training step reads and writes, in one fixed order: parameters and buffers
 * (ParamSet.entries order), then the momentum buffers in parameter order. Every replica builds the
 * same model from the same spec, so the order and shapes agree.
 */
function stateVariables(model: Model, sgd: Sgd): tf.Variable[] {
  const momentum = [...model.params.trainable.keys()].flatMap((name) => {
    const b = sgd.buffers.get(name);
    return b ? [b] : [];
  });
  return [...model.params.entries().map(([, v]) => v), ...momentum];
}

/** The training state as one vector (a copy). */
export function readState(model: Model, sgd: Sgd): Float32Array {
  const vars = stateVariables(model, sgd);
  const out = new Float32Array(vars.reduce((a, v) => a + v.size, 0));
  let at = 0;
  for (const v of vars) {
    out.set(v.dataSync(), at);
    at += v.size;
  }
  return out;
}

/** Overwrites the training state with a vector from {@link readState} of an identical model. */
export function writeState(model: Model, sgd: Sgd, values: Float32Array): void {
  const vars = stateVariables(model, sgd);
  const size = vars.reduce((a, v) => a + v.size, 0);
  if (size !== values.length) {
    throw new Error(`replica state has ${values.length} values, this model ${size}`);
  }
  let at = 0;
  tf.tidy(() => {
    for (const v of vars) {
      v.assign(tf.tensor(values.slice(at, at + v.size), v.shape, v.dtype));
      at += v.size;
    }
  });
}
