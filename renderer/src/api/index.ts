import type { LabBridge } from '../../../shared/contract';
import type { LabClient } from './client';
import { createIpcClient } from './ipc-client';
import { createWsClient } from './ws-client';

export { LabRequestError, type DroppedFile, type LabClient } from './client';
export { collectDrop, fromFileList } from './drop';

let client: LabClient | null = null;

/** Picks the transport: the preload's bridge in Electron, else the WebSocket of web mode. */
function createDefaultClient(): LabClient {
  const bridge = (window as Window & { lab?: LabBridge }).lab;
  if (bridge) return createIpcClient(bridge);
  const params = new URLSearchParams(window.location.search);
  // Remembered per tab, so the page still connects if the query is lost (bookmarks, reloads).
  const token = params.get('token') ?? sessionStorage.getItem('lgg-lab-token') ?? '';
  sessionStorage.setItem('lgg-lab-token', token);
  return createWsClient({ host: window.location.host, token });
}

/** The lab client (created on first use). */
export function useApi(): LabClient {
  client ??= createDefaultClient();
  return client;
}

/** Replaces the client (tests). */
export function setApi(replacement: LabClient | null): void {
  client = replacement;
}
