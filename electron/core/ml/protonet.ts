import { tf } from './backend';

/**
 * Prototypical-network pieces shared by training, adaptation and detection.
 * Distances are squared Euclidean; logits are their negatives (Snell et al. 2017).
 */

/** Squared distances between rows of a [B, M, E] and b [B, N, E] -> [B, M, N]. */
export function sqDist3(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const aa = tf.sum(tf.square(a), 2, true); // [B, M, 1]
  const bb = tf.transpose(tf.sum(tf.square(b), 2, true), [0, 2, 1]); // [B, 1, N]
  // An explicit transpose: BatchMatMul with transpose flags is slow on the wasm backend.
  const ab = tf.matMul(a, tf.transpose(b, [0, 2, 1])); // [B, M, N]
  return tf.relu(tf.add(tf.sub(aa, tf.mul(ab, 2)), bb)) as tf.Tensor3D;
}

/** Squared distances between rows of a [M, E] and b [N, E] -> [M, N]. */
export function sqDist2(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return sqDistTo(a, tf.transpose(b), tf.reshape(tf.sum(tf.square(b), 1), [1, -1]) as tf.Tensor2D);
}

/** Squared distances of rows of a [M, E] to fixed points given as bT [E, N] and their squared norms [1, N]. */
export function sqDistTo(a: tf.Tensor2D, bT: tf.Tensor2D, bb: tf.Tensor2D): tf.Tensor2D {
  const aa = tf.sum(tf.square(a), 1, true);
  return tf.relu(tf.add(tf.sub(aa, tf.mul(tf.matMul(a, bT), 2)), bb)) as tf.Tensor2D;
}

/**
 * The episode loss for B stacked episodes: embeddings of support [B, N*K, E] and query
 * [B, N*Q, E] (way-major), one-hot targets [B, N*Q, N]. Returns the mean cross-entropy and
 * the number of correct query predictions.
 */
export function protoLoss(sup: tf.Tensor3D, qry: tf.Tensor3D, N: number, K: number, oneHot: tf.Tensor3D): { loss: tf.Scalar; correct: tf.Scalar } {
  const [B, , E] = sup.shape;
  const protos = tf.mean(tf.reshape(sup, [B, N, K, E]), 2) as tf.Tensor3D;
  const logits = tf.neg(sqDist3(qry, protos));
  const loss = tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 2), tf.argMax(oneHot, 2)), 'float32')) as tf.Scalar;
  return { loss, correct };
}

/** One-hot targets for B episodes of N ways with Q queries each (way-major). */
export function episodeTargets(B: number, N: number, Q: number): tf.Tensor3D {
  const a = new Float32Array(B * N * Q * N);
  for (let b = 0; b < B; b++) for (let w = 0; w < N; w++) for (let q = 0; q < Q; q++) a[((b * N + w) * Q + q) * N + w] = 1;
  return tf.tensor3d(a, [B, N * Q, N]);
}
