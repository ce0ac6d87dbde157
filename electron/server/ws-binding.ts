import type { WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { WsServerFrame } from '../../shared/contract.js';
import { err } from '../../shared/result.js';
import type { HostApi } from '../host/host-api.js';
import { routeRequest } from './route-request.js';

const RequestFrameSchema = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  channel: z.string().min(1).max(200),
  payload: z.unknown(),
});

// A client that stops reading must not make the server buffer without bound; events are deltas
// the page re-fetches after reconnecting, so dropping the connection loses nothing.
const MAX_BUFFERED_BYTES = 64 * 2 ** 20;

function send(ws: WebSocket, frame: WsServerFrame): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    ws.terminate();
    return;
  }
  ws.send(JSON.stringify(frame));
}

/** Answers one text frame; malformed frames get an `invalid-request` reply when they carry an id. */
async function onFrame(ws: WebSocket, host: HostApi, text: string): Promise<void> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    send(ws, { type: 'response', id: -1, result: err('invalid-request', 'Frame is not JSON') });
    return;
  }
  const frame = RequestFrameSchema.safeParse(raw);
  if (!frame.success) {
    const id = typeof (raw as { id?: unknown } | null)?.id === 'number' ? (raw as { id: number }).id : -1;
    send(ws, {
      type: 'response',
      id,
      result: err('invalid-request', 'Expected {type:"request", id, channel, payload}'),
    });
    return;
  }
  const result = await routeRequest(host, frame.data.channel, frame.data.payload);
  send(ws, { type: 'response', id: frame.data.id, result });
}

/** Serves the contract on every connection of `wss`: requests in, Results and host events out. */
export function bindWebSocket(wss: WebSocketServer, host: HostApi): void {
  wss.on('connection', (ws) => {
    const unsubscribe = host.subscribe((channel, payload) => send(ws, { type: 'event', channel, payload }));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        send(ws, {
          type: 'response',
          id: -1,
          result: err('invalid-request', 'Binary frames are not part of the contract'),
        });
        return;
      }
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      void onFrame(ws, host, text);
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  });
}
