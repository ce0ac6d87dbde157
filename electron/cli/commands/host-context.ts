import { createLabHost, type LabHost } from '../../host/lab-host.js';
import type { CliContext } from '../command.js';

/** Version of the lab (package.json), injected at build time by the CLI entry. */
export let labVersion = '0.0.0';

/** Sets the version shown by `info` and the System screen. */
export function setLabVersion(v: string): void {
  labVersion = v;
}

/** Opens the host on the CLI's data folder, runs `fn`, then closes it. */
export async function withHost<T>(ctx: CliContext, fn: (host: LabHost) => Promise<T>): Promise<T> {
  const host = await createLabHost({ dataDir: ctx.dataDir, mode: 'web', version: labVersion });
  try {
    return await fn(host);
  } finally {
    await host.close();
  }
}
