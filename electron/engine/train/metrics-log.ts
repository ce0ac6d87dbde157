import { appendFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { MetricsRecord } from '../../../shared/run-types.js';
import { writeFileAtomic } from '../../common/atomic-file.js';

/** Append-only `metrics.jsonl`: one JSON record per line, each written with a single append. */
export class MetricsLog {
  readonly file: string;

  constructor(runDir: string) {
    this.file = path.join(runDir, 'metrics.jsonl');
  }

  /** Appends a record (synchronously, so a crash right after keeps it). */
  append(record: MetricsRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  /**
   * Drops records past a checkpoint before a resume (and a torn last line after a crash), so the
   * resumed run continues the log without duplicates.
   */
  async truncateAfter(step: number, epoch: number): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return;
    }
    const kept = text
      .split('\n')
      .filter((line) => {
        if (line.trim() === '') return false;
        try {
          const r = JSON.parse(line) as MetricsRecord;
          return r.type === 'epoch' ? r.epoch <= epoch : r.step <= step;
        } catch {
          return false;
        }
      })
      .map((l) => `${l}\n`)
      .join('');
    await writeFileAtomic(this.file, kept);
  }
}
