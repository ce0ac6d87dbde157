/**
 * Channel names of the contract, without their schemas: what the sandboxed preload needs to
 * filter traffic (it must stay small; the zod schemas live in contract.ts, which checks at compile
 * time that both lists agree).
 */

/** Every host request channel. */
export const REQUEST_CHANNELS = [
  'lab:system.info',
  'lab:presets.list',
  'lab:specs.validate',
  'lab:datasets.list',
  'lab:datasets.preview',
  'lab:datasets.import',
  'lab:datasets.cancelImport',
  'lab:datasets.remove',
  'lab:datasets.samples',
  'lab:runs.list',
  'lab:runs.get',
  'lab:runs.start',
  'lab:runs.startStudy',
  'lab:runs.stop',
  'lab:runs.resume',
  'lab:runs.remove',
  'lab:runs.metrics',
  'lab:runs.probes',
  'lab:runs.probe',
  'lab:runs.graph',
  'lab:runs.export',
  'lab:runs.evaluate',
  'lab:cluster.info',
  'lab:cluster.preview',
  'lab:cluster.saveSettings',
  'lab:lgg.preview',
  'lab:lgg.analyze',
] as const;

/** Every host event channel. */
export const EVENT_CHANNELS = [
  'lab:runs.onStatus',
  'lab:runs.onProgress',
  'lab:runs.onMetrics',
  'lab:runs.onProbe',
  'lab:datasets.onImportProgress',
  'lab:datasets.onChanged',
] as const;

/** Every shell request channel (answered by Electron main or the web server). */
export const SHELL_CHANNELS = ['lab:shell.openPath'] as const;

/** Every shell event channel. */
export const SHELL_EVENT_CHANNELS = ['lab:shell.onCommand'] as const;
