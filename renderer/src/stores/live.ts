import { useApi } from '../api';
import { useDatasetsStore } from './datasets';
import { useNavStore } from './nav';
import { useRunDetailStore } from './run-detail';
import { useRunsStore } from './runs';
import { useSystemStore } from './system';

/**
 * Routes the host's pushed events to the stores, once for the whole app. The host already
 * batches (≤ 10 pushes/s per run); stores treat every event as a delta on what they fetched,
 * and re-fetch everything after a reconnect.
 */
export function startLiveUpdates(): () => void {
  const api = useApi();
  const runs = useRunsStore();
  const detail = useRunDetailStore();
  const datasets = useDatasetsStore();
  const system = useSystemStore();
  const nav = useNavStore();
  let everConnected = false;
  const offs = [
    api.on('lab:runs.onStatus', (s) => {
      runs.onStatus(s);
      detail.onStatus(s);
    }),
    api.on('lab:runs.onProgress', (p) => {
      runs.onProgress(p);
      detail.onProgress(p);
    }),
    api.on('lab:runs.onMetrics', (m) => {
      runs.onMetrics(m);
      detail.onMetrics(m);
    }),
    api.on('lab:runs.onProbe', (p) => detail.onProbe(p)),
    api.on('lab:datasets.onImportProgress', (p) => datasets.onImportProgress(p)),
    api.on('lab:datasets.onChanged', (d) => datasets.onChanged(d)),
    api.on('lab:shell.onCommand', (c) => {
      if (c.type === 'navigate') nav.go({ view: c.view });
      else {
        nav.go({ view: 'datasets' });
        void datasets.previewPath(c.path);
      }
    }),
    api.onConnection((connected) => {
      system.connected = connected;
      if (connected && everConnected) {
        void runs.load();
        void datasets.load();
        if (detail.runId) void detail.open(detail.runId);
      }
      everConnected ||= connected;
    }),
  ];
  return () => offs.forEach((off) => off());
}
