import { z } from 'zod';
import { EVENT_CHANNELS, REQUEST_CHANNELS, SHELL_CHANNELS, SHELL_EVENT_CHANNELS } from './channels.js';
import type { ThreadsInfo } from './threads.js';
import type { BackendInfo } from './backend-types.js';
import type { DatasetMeta, ImportPreview, ImportProgress } from './dataset-types.js';
import {
  ClusterSettingsSchema,
  ExecutorChoiceSchema,
  SlurmOptionsSchema,
  type ClusterInfo,
  type SlurmSubmission,
} from './executor.js';
import type { AnalyzeResult, PreviewResult } from './engine-protocol.js';
import { LggOptionsSchema } from './lgg-options.js';
import { EvaluationSchema } from './spec/evaluation.js';
import { BackendChoiceSchema } from './spec/training.js';
import type { PresetInfo } from './presets.js';
import type { Result } from './result.js';
import type {
  MetricsRecord,
  ProbeSnapshot,
  RunProgress,
  RunReport,
  RunStatus,
  RunSummary,
} from './run-types.js';
import type { ExperimentSpec } from './spec/experiments.js';

/**
 * The one contract between the renderer and the host. Requests are `lab:<domain>.<verb>` with a
 * zod-validated payload and a Result reply; events are `lab:<domain>.on<Thing>` pushed by the host.
 * Electron IPC, the preload bridge, the WebSocket binding and the renderer client are typed from it.
 */

const id = z.string().min(1).max(200);
const side = z.number().int().min(1).max(1024);

/** Format options of an import; each format reads the ones it understands (see the README's table). */
export const ImportOptionsSchema = z
  .object({
    /** Target image size of image folders: a side, or [height, width] (pixels). */
    imageSize: z.union([side, z.tuple([side, side])]).optional(),
    /** Stored colour of image folders. */
    color: z.enum(['grey', 'rgb']).optional(),
    /** Resampling of image folders. */
    resize: z.enum(['bilinear', 'area', 'auto']).optional(),
    /** CIFAR-100 label set. */
    labelSet: z.enum(['fine', 'coarse']).optional(),
    /** Array names by role in `.npy` folders and `.npz` archives. */
    npzKeys: z
      .partialRecord(z.enum(['trainX', 'trainY', 'testX', 'testY', 'x', 'y']), z.string().min(1))
      .optional(),
    /** Layout of 4-D NumPy image arrays. */
    layout: z.enum(['nhwc', 'nchw']).optional(),
    /** CSV label column: header name or 0-based index. */
    csvLabelColumn: z.union([z.string().min(1), z.number().int().min(0)]).optional(),
    /** Seed of the train/test split of single-pool sources. */
    splitSeed: z.number().int().min(0).optional(),
    /** Held-out test fraction of single-pool sources, in (0, 1). */
    testFraction: z.number().gt(0).lt(1).optional(),
    /** Clean dataset a corruption suite belongs to. */
    linkTo: z.string().min(1).optional(),
    /** Class names overriding the source's. */
    classNames: z.array(z.string().min(1)).optional(),
    /** Follow symbolic links inside the source folder (desktop only: web mode refuses it). */
    followLinks: z.boolean().optional(),
  })
  .strict();
/** Parsed import options. */
export type ImportOptionsInput = z.infer<typeof ImportOptionsSchema>;

/** Request payload schemas, validated at the host boundary. */
export const requestSchemas = {
  'lab:system.info': z.object({}),
  'lab:presets.list': z.object({}),
  'lab:specs.validate': z.object({ spec: z.unknown() }),
  'lab:datasets.list': z.object({}),
  'lab:datasets.preview': z.object({ path: z.string().min(1), options: ImportOptionsSchema.optional() }),
  'lab:datasets.import': z.object({
    path: z.string().min(1),
    name: z.string().min(1).max(100).optional(),
    options: ImportOptionsSchema.optional(),
  }),
  'lab:datasets.cancelImport': z.object({ jobId: id }),
  'lab:datasets.remove': z.object({ id }),
  'lab:datasets.samples': z.object({
    id,
    split: z.enum(['train', 'test']).default('train'),
    count: z.number().int().positive().max(256).default(32),
  }),
  'lab:runs.list': z.object({}),
  'lab:runs.get': z.object({ id }),
  /** Starts a run here (`local`, the default) or submits it to Slurm. */
  'lab:runs.start': z.object({ spec: z.unknown(), executor: ExecutorChoiceSchema.optional() }),
  /** Starts every method × seed of a study here, or submits them to Slurm as one job array. */
  'lab:runs.startStudy': z.object({ study: z.unknown(), executor: ExecutorChoiceSchema.optional() }),
  'lab:runs.stop': z.object({ id }),
  // `backend` continues the run elsewhere (e.g. on wasm after a GPU fault); the spec keeps its own.
  // A cluster run's task is resubmitted (with its own Slurm options unless `slurm` gives others).
  'lab:runs.resume': z.object({
    id,
    backend: BackendChoiceSchema.optional(),
    slurm: SlurmOptionsSchema.optional(),
  }),
  'lab:runs.remove': z.object({ id }),
  'lab:runs.metrics': z.object({ id, from: z.number().int().min(0).default(0) }),
  'lab:runs.probes': z.object({ id }),
  'lab:runs.probe': z.object({ id, epoch: z.number().int().min(0) }),
  'lab:runs.graph': z.object({ id, file: z.string().min(1).max(300) }),
  'lab:runs.export': z.object({ id, format: z.enum(['json', 'csv', 'zip']) }),
  /** Re-runs the evaluation suite of a finished run, optionally with another suite. */
  'lab:runs.evaluate': z.object({ id, evaluation: EvaluationSchema.optional() }),
  /** Cluster settings, Slurm availability and the shared-filesystem check of the data folder. */
  'lab:cluster.info': z.object({}),
  /** The batch script a Slurm submission of this study (or single run) would use (nothing is written). */
  'lab:cluster.preview': z
    .object({
      study: z.unknown().optional(),
      spec: z.unknown().optional(),
      slurm: SlurmOptionsSchema.default({ sbatchArgs: [] }),
    })
    .refine((p) => (p.study === undefined) !== (p.spec === undefined), 'give a study or a spec'),
  /** Saves the cluster defaults (the lab command only where the UI may set it: not in web mode). */
  'lab:cluster.saveSettings': z.object({ settings: ClusterSettingsSchema }),
  'lab:lgg.preview': z.object({
    dataset: id,
    perClass: z.number().int().positive().max(50).default(8),
    lgg: LggOptionsSchema,
  }),
  'lab:lgg.analyze': z.object({
    layers: z.array(z.string().min(1)).min(1),
    labels: z.string().min(1),
    teacherLayers: z.array(z.string().min(1)).optional(),
    lgg: LggOptionsSchema,
  }),
} as const;

/** Channel names of requests. */
export type RequestChannel = keyof typeof requestSchemas;
/** The payload a caller sends on a channel (defaults optional). */
export type RequestOf<C extends RequestChannel> = z.input<(typeof requestSchemas)[C]>;
/** The payload a handler receives after validation (defaults filled). */
export type ParsedRequestOf<C extends RequestChannel> = z.output<(typeof requestSchemas)[C]>;

/** A run with everything the dashboard needs on open. */
export interface RunDetail {
  /** Table row. */
  summary: RunSummary;
  /** Validated spec. */
  spec: ExperimentSpec;
  /** Final report, once written. */
  report?: RunReport;
  /** Absolute path of the run folder. */
  path: string;
}

/** Where a resumed run continues. */
export interface ResumeReply {
  /** The run. */
  id: string;
  /** The checkpoint folder it continues from (`e0002-s000000468`), absent when it starts over (it had none). */
  checkpoint?: string;
  /** Completed epochs at that checkpoint (0 when it starts over). */
  epoch: number;
  /** One sentence for the person: which checkpoint and why (a fallback past a damaged one says so). */
  note: string;
}

/** What the System screen shows. */
export interface SystemInfo {
  /** Engine backend report (from a short-lived engine process). */
  backend: BackendInfo;
  /** The lab's data folder. */
  dataDir: string;
  /** App version. */
  version: string;
  /** `electron` or `web`. */
  mode: 'electron' | 'web';
  /** Runs waiting and running. */
  queue: { running: number; queued: number };
  /** The cores and how the queue shares them between runs. */
  threads: ThreadsInfo;
}

/** A decoded graph file: B×B row-major values. */
export interface GraphData {
  /** Rows = columns = B. */
  size: number;
  /** Row-major values. */
  values: number[];
}

/** Reply value types per request channel. */
export interface ResponseMap {
  'lab:system.info': SystemInfo;
  'lab:presets.list': PresetInfo[];
  'lab:specs.validate': ExperimentSpec;
  'lab:datasets.list': DatasetMeta[];
  'lab:datasets.preview': ImportPreview;
  'lab:datasets.import': { jobId: string };
  'lab:datasets.cancelImport': { cancelled: boolean };
  'lab:datasets.remove': { removed: boolean };
  'lab:datasets.samples': {
    height: number;
    width: number;
    channels: number;
    items: { label: number; pixels: number[] }[];
  };
  'lab:runs.list': RunSummary[];
  'lab:runs.get': RunDetail;
  'lab:runs.start': { id: string; submission?: SlurmSubmission };
  'lab:runs.startStudy': { ids: string[]; submission?: SlurmSubmission };
  'lab:runs.stop': { stopped: boolean };
  'lab:runs.resume': ResumeReply & { submission?: SlurmSubmission };
  'lab:runs.remove': { removed: boolean };
  'lab:runs.metrics': { records: MetricsRecord[]; next: number };
  'lab:runs.probes': { epochs: number[] };
  'lab:runs.probe': ProbeSnapshot;
  'lab:runs.graph': GraphData;
  'lab:runs.export': { path: string; bytes: number };
  'lab:runs.evaluate': { id: string };
  'lab:cluster.info': ClusterInfo;
  'lab:cluster.preview': { script: string; command: string; file: string };
  'lab:cluster.saveSettings': ClusterInfo;
  'lab:lgg.preview': PreviewResult;
  'lab:lgg.analyze': AnalyzeResult;
}

/** Reply value type of a channel. */
export type ResponseOf<C extends RequestChannel> = ResponseMap[C];

/** Event payloads pushed by the host (batched: at most 10 pushes per second per run). */
export interface EventMap {
  /** Changed run statuses (deltas on what `runs.list` returned). */
  'lab:runs.onStatus': RunStatus[];
  /** Progress of running runs. */
  'lab:runs.onProgress': RunProgress[];
  /** New metrics lines, per run. */
  'lab:runs.onMetrics': { id: string; records: MetricsRecord[] }[];
  /** New probe snapshots, per run. */
  'lab:runs.onProbe': { id: string; epoch: number }[];
  /** Import progress. */
  'lab:datasets.onImportProgress': ImportProgress[];
  /** The dataset list changed. */
  'lab:datasets.onChanged': DatasetMeta[];
}

/** Event channel names. */
export type EventChannel = keyof EventMap;

/** True when two unions of channel names are equal (compile-time check of channels.ts). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const requestListsAgree: Same<RequestChannel, (typeof REQUEST_CHANNELS)[number]> = true;
const eventListsAgree: Same<EventChannel, (typeof EVENT_CHANNELS)[number]> = true;
void requestListsAgree;
void eventListsAgree;

/**
 * Requests answered by the shell that shows the UI (Electron main or the web server), not by the
 * host: things only a desktop can do. Bindings answer these before delegating to the host.
 */
export const shellRequestSchemas = {
  /** Opens a file or folder with the OS (`reveal` shows it in its folder instead). */
  'lab:shell.openPath': z.object({ path: z.string().min(1), reveal: z.boolean().default(false) }),
} as const;

/** Channel names of shell requests. */
export type ShellChannel = keyof typeof shellRequestSchemas;

/** Reply value types of shell requests. */
export interface ShellResponseMap {
  /** `opened` is false where the shell cannot open paths (web mode). */
  'lab:shell.openPath': { opened: boolean };
}

/** Something the shell asks the UI to do (menu items, files opened with the app). */
export type ShellCommand =
  | { type: 'import'; path: string }
  | { type: 'navigate'; view: 'datasets' | 'new' | 'runs' | 'compare' | 'system' };

/** Events pushed by the shell. */
export interface ShellEventMap {
  /** A menu item or the OS asked the UI to act. */
  'lab:shell.onCommand': ShellCommand;
}

const shellListsAgree: Same<ShellChannel, (typeof SHELL_CHANNELS)[number]> = true;
const shellEventsAgree: Same<keyof ShellEventMap, (typeof SHELL_EVENT_CHANNELS)[number]> = true;
void shellListsAgree;
void shellEventsAgree;

/** Any channel the UI may call: host requests and shell requests. */
export type UiChannel = RequestChannel | ShellChannel;
/** Payload of any UI channel. */
export type UiRequestOf<C extends UiChannel> = C extends RequestChannel
  ? RequestOf<C>
  : C extends ShellChannel
    ? z.input<(typeof shellRequestSchemas)[C]>
    : never;
/** Reply value of any UI channel. */
export type UiResponseOf<C extends UiChannel> = C extends RequestChannel
  ? ResponseMap[C]
  : C extends ShellChannel
    ? ShellResponseMap[C]
    : never;
/** Any event the UI may receive. */
export type UiEventMap = EventMap & ShellEventMap;
/** Any event channel the UI may receive. */
export type UiEventChannel = keyof UiEventMap;

/** The one object the Electron preload exposes as `window.lab` (web mode has a WebSocket twin). */
export interface LabBridge {
  /** Sends a request; never rejects for lab errors, which come back as failed Results. */
  invoke<C extends UiChannel>(channel: C, payload: UiRequestOf<C>): Promise<Result<UiResponseOf<C>>>;
  /** Listens to an event; returns the unsubscribe function. */
  on<E extends UiEventChannel>(channel: E, listener: (payload: UiEventMap[E]) => void): () => void;
  /** Absolute path of a dropped `File` (Electron's `webUtils.getPathForFile`); '' if it has none. */
  pathForFile(file: object): string;
}

/** Web mode: HTTP routes of the server (each needs the `token` query parameter). */
export const WEB_ROUTES = {
  /** WebSocket endpoint carrying the contract. */
  socket: '/ws',
  /** `POST ?batch=<id>&path=<relative path>` with the raw file bytes as body. */
  upload: '/upload',
  /** `GET ?path=<absolute path inside the data folder>`: downloads a file (exports). */
  file: '/files',
} as const;

/** Web mode: a frame the browser sends over the WebSocket (JSON). */
export interface WsRequestFrame {
  type: 'request';
  /** Correlates the response; unique per connection. */
  id: number;
  /** A {@link UiChannel}. */
  channel: string;
  /** The request payload. */
  payload: unknown;
}

/** Web mode: a frame the server sends over the WebSocket (JSON). */
export type WsServerFrame =
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'event'; channel: string; payload: unknown };

/** Web mode: reply of an upload, the absolute paths the file and its batch folder were saved to. */
export interface UploadReply {
  /** The batch folder (drop several files or a folder: import this). */
  dir: string;
  /** The saved file. */
  path: string;
  /** Bytes written. */
  bytes: number;
}

export { EVENT_CHANNELS, REQUEST_CHANNELS, SHELL_CHANNELS, SHELL_EVENT_CHANNELS };
