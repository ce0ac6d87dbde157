import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  SHELL_CHANNELS,
  SHELL_EVENT_CHANNELS,
} from '../../shared/channels.js';
import type { LabBridge } from '../../shared/contract.js';
import { err } from '../../shared/result.js';

// Sandboxed preload: bundled by esbuild (it cannot require local files), Node built-ins absent.
// The page gets exactly one object, and only the contract's channels pass through it.
const requests = new Set<string>([...REQUEST_CHANNELS, ...SHELL_CHANNELS]);
const events = new Set<string>([...EVENT_CHANNELS, ...SHELL_EVENT_CHANNELS]);

const lab: LabBridge = {
  invoke: ((channel: string, payload: unknown) => {
    if (!requests.has(channel)) return Promise.resolve(err('unknown-channel', `No such channel: ${channel}`));
    // main replies with a Result envelope for every request (validated there).
    return ipcRenderer.invoke(channel, payload);
  }) as LabBridge['invoke'],
  on(channel, listener) {
    if (!events.has(channel)) return () => undefined;
    const handler = (_e: IpcRendererEvent, payload: unknown): void => listener(payload as never);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file as File);
    } catch {
      return '';
    }
  },
};

contextBridge.exposeInMainWorld('lab', lab);
