import { shellRequestSchemas, type ShellChannel } from '../../shared/contract.js';
import { err, ok, toLabError, type Result } from '../../shared/result.js';
import type { HostApi } from '../host/host-api.js';
import { webShell } from './shell-handlers.js';

function isShellChannel(channel: string): channel is ShellChannel {
  return Object.hasOwn(shellRequestSchemas, channel);
}

/**
 * One request from the page: shell channels are answered here, everything else goes to the host,
 * whose `dispatch` validates the payload against the contract and never throws.
 */
export async function routeRequest(
  host: HostApi,
  channel: string,
  payload: unknown,
): Promise<Result<unknown>> {
  if (!isShellChannel(channel)) return host.dispatch(channel, payload);
  const parsed = shellRequestSchemas[channel].safeParse(payload);
  if (!parsed.success) {
    return err(
      'invalid-request',
      `Invalid payload for ${channel}: ${parsed.error.message}`,
      parsed.error.issues,
    );
  }
  try {
    return ok(await webShell.openPath());
  } catch (e) {
    return { ok: false, error: toLabError(e) };
  }
}
