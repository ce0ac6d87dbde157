import {
  WEB_ROUTES,
  type UiEventChannel,
  type UiEventMap,
  type UploadReply,
  type WsServerFrame,
} from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import { LabRequestError, type DroppedFile, type LabClient } from './client';
import { batchId, uploadedImportPath } from './staging';

type AnyListener = (payload: unknown) => void;

interface Pending {
  resolve: (r: Result<unknown>) => void;
}

const RECONNECT_MS = [250, 500, 1000, 2000, 4000];
const LOOSE_FOLDER = 'upload';

/** Where the page came from and its access token. */
export interface WebLocation {
  /** `location.host`. */
  host: string;
  /** The `token` query parameter the page was opened with. */
  token: string;
}

/**
 * The client of web mode: the contract over a WebSocket to the server that served the page.
 * Requests made while (re)connecting wait for the socket; a dropped socket fails what was in
 * flight with `disconnected` and reconnects with back-off.
 */
export function createWsClient(where: WebLocation, Socket: typeof WebSocket = WebSocket): LabClient {
  const listeners = new Map<string, Set<AnyListener>>();
  const connectionListeners = new Set<(c: boolean) => void>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let socket: WebSocket | null = null;
  let open = false;
  let nextId = 1;
  let attempt = 0;

  const setOpen = (value: boolean): void => {
    if (open === value) return;
    open = value;
    for (const l of connectionListeners) l(value);
  };

  const connect = (): void => {
    const ws = new Socket(`ws://${where.host}${WEB_ROUTES.socket}?token=${encodeURIComponent(where.token)}`);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setOpen(true);
      for (const text of queue.splice(0)) ws.send(text);
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      const frame = JSON.parse(ev.data) as WsServerFrame;
      if (frame.type === 'event') {
        for (const l of listeners.get(frame.channel) ?? []) l(frame.payload);
        return;
      }
      const p = pending.get(frame.id);
      pending.delete(frame.id);
      p?.resolve(frame.result);
    };
    ws.onclose = () => {
      socket = null;
      setOpen(false);
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resolve({
          ok: false,
          error: { code: 'disconnected', message: 'Lost the connection to the lab server' },
        });
      }
      const delay = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)] ?? 4000;
      setTimeout(connect, delay);
    };
  };
  connect();

  const send = (text: string): void => {
    if (socket && open) socket.send(text);
    else queue.push(text);
  };

  const tokenQuery = `token=${encodeURIComponent(where.token)}`;

  async function uploadOne(batch: string, f: DroppedFile): Promise<UploadReply> {
    const url = `${WEB_ROUTES.upload}?${tokenQuery}&batch=${batch}&path=${encodeURIComponent(f.relativePath)}`;
    const res = await fetch(url, { method: 'POST', body: f.file });
    const r = (await res.json()) as Result<UploadReply>;
    if (!r.ok) throw new LabRequestError(r.error);
    return r.value;
  }

  return {
    mode: 'web',
    async request(channel, payload) {
      const id = nextId++;
      const r = await new Promise<Result<unknown>>((resolve) => {
        pending.set(id, { resolve });
        send(JSON.stringify({ type: 'request', id, channel, payload }));
      });
      if (!r.ok) throw new LabRequestError(r.error);
      return r.value as never;
    },
    on<E extends UiEventChannel>(channel: E, listener: (payload: UiEventMap[E]) => void) {
      const set = listeners.get(channel) ?? new Set<AnyListener>();
      listeners.set(channel, set);
      set.add(listener as AnyListener);
      return () => set.delete(listener as AnyListener);
    },
    async stageFiles(files, onProgress) {
      if (files.length === 0) throw new Error('Nothing was dropped');
      const batch = batchId();
      let dir = '';
      const total = files.reduce((n, f) => n + f.file.size, 0) || 1;
      let done = 0;
      // Loose files go into one named folder: the importer proposes the folder's name as the
      // dataset's name, and a batch id is no name for humans.
      const loose = files.some((f) => !f.relativePath.includes('/'));
      const staged = loose
        ? files.map((f) => ({ ...f, relativePath: `${LOOSE_FOLDER}/${f.relativePath}` }))
        : files;
      // One file at a time: the server caps each upload, and two cores are busy enough.
      for (const f of staged) {
        dir = (await uploadOne(batch, f)).dir;
        done += f.file.size;
        onProgress?.(done / total);
      }
      const single = files.length === 1 ? staged[0] : undefined;
      return single && loose ? `${dir}/${single.relativePath}` : uploadedImportPath(dir, staged);
    },
    downloadUrl: (path) => `${WEB_ROUTES.file}?${tokenQuery}&path=${encodeURIComponent(path)}`,
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(open);
      return () => connectionListeners.delete(listener);
    },
  };
}
