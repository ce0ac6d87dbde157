import { existsSync } from 'node:fs';
import os from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LabFailure } from '../../../shared/result.js';
import { asLabFailure } from './errors.js';
import type { DecodeReply, DecodeRequest } from './image-decode-worker.js';
import { readImageFile } from './image-read.js';
import { decodeToTarget, type DecodeTarget } from './image-target.js';

/** Where the compiled worker lives (next to this module in dist/). */
const DEFAULT_WORKER = new URL('./image-decode-worker.js', import.meta.url);

interface Pending {
  resolve: (px: Uint8Array) => void;
  reject: (e: LabFailure) => void;
}

interface Slot {
  worker: Worker;
  busy: number;
}

/** Options of {@link ImageDecoder.create}. */
export interface DecoderOptions {
  /** Worker count; 0 decodes on the calling thread. Default: CPUs − 1, 1 to 4. */
  workers?: number;
  /** Worker script (default: the compiled image-decode-worker.js beside this module). */
  workerFile?: string | URL;
}

/**
 * Decodes and resizes image files. JPEG/PNG decoding in pure JS takes milliseconds to seconds per
 * image, so it runs in worker threads when the compiled worker script is available: the host's event
 * loop (the Electron main process) stays responsive and several cores are used. When it is not (tests
 * run the TypeScript sources; a packaged app that cannot start workers from its archive), it decodes
 * inline and yields to the event loop after every image, which bounds a stall to one image.
 */
export class ImageDecoder {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: LabFailure | undefined;

  private constructor(
    private readonly target: DecodeTarget,
    private readonly slots: Slot[],
  ) {}

  /** `workers` or `inline`. */
  get mode(): 'workers' | 'inline' {
    return this.slots.length > 0 ? 'workers' : 'inline';
  }

  /** How many decodes a caller should keep in flight. */
  get concurrency(): number {
    return Math.max(1, this.slots.length * 2);
  }

  /** Starts the workers (falling back to inline decoding if they cannot start). */
  static async create(target: DecodeTarget, options: DecoderOptions = {}): Promise<ImageDecoder> {
    const count = options.workers ?? Math.min(4, Math.max(1, os.availableParallelism() - 1));
    const file = options.workerFile ?? DEFAULT_WORKER;
    const exists = existsSync(typeof file === 'string' ? file : fileURLToPath(file));
    const slots: Slot[] = [];
    if (count > 0 && exists) {
      try {
        for (let i = 0; i < count; i++) slots.push({ worker: await startWorker(file), busy: 0 });
      } catch {
        // The worker script could not start (missing build, asar, permissions): decode inline instead.
        await Promise.all(slots.map((s) => s.worker.terminate()));
        slots.length = 0;
      }
    }
    const decoder = new ImageDecoder(target, slots);
    for (const s of slots) decoder.attach(s);
    return decoder;
  }

  private attach(slot: Slot): void {
    slot.worker.on('message', (reply: DecodeReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      slot.busy--;
      if ('error' in reply) p.reject(new LabFailure(reply.error.code, reply.error.message));
      else p.resolve(reply.pixels);
    });
    const fail = (why: string): void => {
      this.failed = new LabFailure('io-error', `image decoder worker ${why}`);
      for (const p of this.pending.values()) p.reject(this.failed);
      this.pending.clear();
    };
    slot.worker.on('error', (e) => fail(`crashed: ${e.message}`));
    slot.worker.on('exit', (code) => {
      if (code !== 0) fail(`exited with code ${code}`);
    });
  }

  /** Decodes one file to the target (height × width × channels bytes). `label` names it in errors. */
  async decode(file: string, label: string): Promise<Uint8Array> {
    if (this.failed) throw this.failed;
    if (this.slots.length === 0) {
      try {
        const px = decodeToTarget(await readImageFile(file), label, this.target);
        await yieldToLoop();
        return px;
      } catch (e) {
        throw asLabFailure(e, label);
      }
    }
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, file, label, target: this.target } satisfies DecodeRequest);
    });
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const s of slots) s.worker.removeAllListeners();
    await Promise.all(slots.map((s) => s.worker.terminate()));
    for (const p of this.pending.values()) p.reject(new LabFailure('cancelled', 'image decoder closed'));
    this.pending.clear();
  }
}

function startWorker(file: string | URL): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const w = new Worker(file);
    const onError = (e: Error): void => reject(e);
    const onExit = (code: number): void => reject(new Error(`worker exited with code ${code}`));
    w.once('error', onError);
    w.once('exit', onExit);
    w.once('message', (m: { ready?: boolean }) => {
      w.off('error', onError);
      w.off('exit', onExit);
      if (m.ready) resolve(w);
      else reject(new Error('unexpected first message from the worker'));
    });
  });
}
