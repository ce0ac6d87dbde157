// TF.js prints advice ("install the node backend…") the first time a backend starts; tests do not
// need it on stderr. Engine processes set the same flag in backend selection.
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('PROD', true);
