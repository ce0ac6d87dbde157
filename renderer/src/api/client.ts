import type {
  UiChannel,
  UiEventChannel,
  UiEventMap,
  UiRequestOf,
  UiResponseOf,
} from '../../../shared/contract';
import type { LabError } from '../../../shared/result';

/** A failed request, carrying the host's error code and message. */
export class LabRequestError extends Error {
  /** Stable code of the failure (e.g. `invalid-spec`, `not-found`, `disconnected`). */
  readonly code: string;
  /** Structured detail, e.g. spec issues with paths. */
  readonly details: unknown;
  constructor(error: LabError) {
    super(error.message);
    this.name = 'LabRequestError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** A file picked or dropped by the user, with its path relative to the dropped folder. */
export interface DroppedFile {
  /** The browser's file. */
  file: File;
  /** `folder/sub/file.ext` for folder drops, else the file name. */
  relativePath: string;
}

/** The renderer's only door to the lab, whatever carries it (Electron IPC or a WebSocket). */
export interface LabClient {
  /** Which shell the page runs in. */
  readonly mode: 'electron' | 'web';
  /** Sends a request; rejects with {@link LabRequestError} when the reply is a failure. */
  request<C extends UiChannel>(channel: C, payload: UiRequestOf<C>): Promise<UiResponseOf<C>>;
  /** Listens to an event; returns the unsubscribe function. */
  on<E extends UiEventChannel>(channel: E, listener: (payload: UiEventMap[E]) => void): () => void;
  /**
   * Makes dropped files importable and returns the path to import: Electron reads them in place;
   * web mode uploads them to the server's data folder first.
   */
  stageFiles(files: DroppedFile[], onProgress?: (fraction: number) => void): Promise<string>;
  /** A URL downloading a file of the data folder (web mode), or null where paths open directly. */
  downloadUrl(path: string): string | null;
  /** Connection state changes (web mode reconnects after the server restarts). */
  onConnection(listener: (connected: boolean) => void): () => void;
}
