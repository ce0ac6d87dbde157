import type { RunQueue } from '../runs/run-queue.js';

/** The `local` executor: the host's own queue, one engine process per run on this machine. */
export class LocalExecutor {
  constructor(private readonly queue: RunQueue) {}

  /** Queues created runs. */
  async submit(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.queue.enqueue(id);
  }

  /** Stops a run this host drives (false when it drives no such run). */
  cancel(id: string): Promise<boolean> {
    return this.queue.stop(id);
  }

  /** True while this host queues or runs it. */
  has(id: string): boolean {
    return this.queue.has(id);
  }
}
