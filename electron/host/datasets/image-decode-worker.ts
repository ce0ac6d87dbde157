/**
 * Worker-thread entry of the image decoder pool: reads, decodes and resizes image files off the
 * host's event loop. Messages: {@link DecodeRequest} in, {@link DecodeReply} out.
 */
import { parentPort } from 'node:worker_threads';
import { toLabError, type LabError } from '../../../shared/result.js';
import { asLabFailure } from './errors.js';
import { readImageFile } from './image-read.js';
import { decodeToTarget, type DecodeTarget } from './image-target.js';

/** A decode job. */
export interface DecodeRequest {
  /** Correlation id. */
  id: number;
  /** Absolute path of the image. */
  file: string;
  /** Name used in error messages. */
  label: string;
  /** Output size and colour. */
  target: DecodeTarget;
}

/** Its answer: pixels, or a typed error. */
export type DecodeReply = { id: number; pixels: Uint8Array } | { id: number; error: LabError };

const port = parentPort;
port?.on('message', (req: DecodeRequest) => {
  readImageFile(req.file)
    .then((bytes) => {
      const pixels = decodeToTarget(bytes, req.label, req.target);
      port.postMessage({ id: req.id, pixels } satisfies DecodeReply, [pixels.buffer as ArrayBuffer]);
    })
    .catch((e: unknown) =>
      port.postMessage({ id: req.id, error: toLabError(asLabFailure(e, req.label)) } satisfies DecodeReply),
    );
});
// Tells the pool this module (and its imports) loaded, so a broken install falls back to inline decoding.
port?.postMessage({ ready: true });
