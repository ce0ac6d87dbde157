import type { LabBridge } from '../../../shared/contract';
import { LabRequestError, type LabClient } from './client';
import { importPathOf } from './staging';

/** The client over Electron's preload bridge (`window.lab`). */
export function createIpcClient(bridge: LabBridge): LabClient {
  return {
    mode: 'electron',
    async request(channel, payload) {
      const r = await bridge.invoke(channel, payload);
      if (!r.ok) throw new LabRequestError(r.error);
      return r.value;
    },
    on: (channel, listener) => bridge.on(channel, listener),
    stageFiles(files) {
      // Electron knows where dropped files live: import them in place, no copy.
      const paths = files.map((f) => bridge.pathForFile(f.file)).filter((p) => p.length > 0);
      if (paths.length === 0) return Promise.reject(new Error('The dropped items have no path on disk'));
      return Promise.resolve(importPathOf(paths));
    },
    downloadUrl: () => null,
    onConnection: (listener) => {
      listener(true);
      return () => undefined;
    },
  };
}
