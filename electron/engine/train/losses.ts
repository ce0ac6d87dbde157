import * as tf from '@tensorflow/tfjs-core';

/** Mean softmax cross-entropy of logits [B, C] against int labels [B]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.neg(tf.mean(pickedLogProb(logits, labels))) as tf.Scalar;
}

/** Sum (not mean) of per-example cross-entropy, for evaluation averages over uneven batches. */
export function crossEntropySum(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.neg(tf.sum(pickedLogProb(logits, labels))) as tf.Scalar;
}

function pickedLogProb(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
  return tf.sum(tf.mul(logp, onehot), 1);
}

/** Number of rows whose argmax equals the label. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'float32'));
}
