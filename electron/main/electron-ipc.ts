import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { UiEventChannel } from '../../shared/contract.js';
import type { IpcSender, IpcTransport } from './ipc-binding.js';

function senderOf(e: IpcMainInvokeEvent): IpcSender {
  return { id: e.sender.id, frameUrl: e.senderFrame?.url ?? '' };
}

/** The real transport: `ipcMain.handle` for requests, `webContents.send` to the app's windows. */
export function electronTransport(windows: () => BrowserWindow[]): IpcTransport {
  return {
    handle: (channel, handler) =>
      ipcMain.handle(channel, (e, payload: unknown) => handler(senderOf(e), payload)),
    removeHandler: (channel) => ipcMain.removeHandler(channel),
    broadcast: (channel: UiEventChannel, payload: unknown) => {
      for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(channel, payload);
    },
  };
}

/** The renderer page's URL without its hash or query (hash routes change while the app runs). */
export function pageUrlOf(frameUrl: string): string {
  try {
    const u = new URL(frameUrl);
    u.hash = '';
    u.search = '';
    return u.href;
  } catch {
    return '';
  }
}
