import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WEB_ROUTES } from '../../shared/contract.js';
import type { HostApi } from '../host/host-api.js';
import { accessPolicy, createToken, hostAllowed, originAllowed, tokenMatches, tokenOf } from './access.js';
import { handleDownload } from './downloads.js';
import { sendText } from './http-util.js';
import { serveStatic } from './static-files.js';
import { handleUpload } from './uploads.js';
import { bindWebSocket } from './ws-binding.js';

/** How to start the web-mode server. */
export interface WebServerOptions {
  /** The contract's implementation. */
  host: HostApi;
  /** The lab's data folder (uploads go to its tmp/, downloads come from it). */
  dataDir: string;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to bind; loopback by default. */
  bind?: string;
  /** Access token; random by default. */
  token?: string;
  /** Largest uploaded file, bytes (default 4 GiB). */
  maxUploadBytes?: number;
  /** Largest upload batch (one drop), bytes (default 16 GiB). */
  maxBatchBytes?: number;
}

/** A running web-mode server. */
export interface WebServer {
  /** The URL to open, token included. */
  url: string;
  /** The port actually bound. */
  port: number;
  /** The access token. */
  token: string;
  /** Stops accepting, closes sockets. */
  close(): Promise<void>;
}

const PAGE_REFUSED =
  'This LGG Lab server needs its access token. Open the full URL printed by `lgg-lab serve` (or `npm start`), ' +
  'including ?token=…';

/** Starts node:http + ws serving the renderer and the contract. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const bind = options.bind ?? '127.0.0.1';
  const token = options.token ?? createToken();
  const uploads = {
    tmpDir: `${options.dataDir}/tmp`,
    maxFileBytes: options.maxUploadBytes ?? 4 * 2 ** 30,
    maxBatchBytes: options.maxBatchBytes ?? 16 * 2 ** 30,
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 2 ** 20 });
  bindWebSocket(wss, options.host);
  let policy = accessPolicy(bind, options.port);

  const onRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    if (!hostAllowed(policy, req)) return sendText(res, 421, 'Unknown Host header');
    if (url.pathname === WEB_ROUTES.upload) {
      if (req.method !== 'POST') return sendText(res, 405, 'POST only');
      if (!originAllowed(policy, req, true) || !tokenMatches(token, tokenOf(url))) {
        req.resume();
        return sendText(res, 403, 'Forbidden');
      }
      return handleUpload(req, res, url, uploads);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'GET only');
    if (!originAllowed(policy, req, false)) return sendText(res, 403, 'Forbidden origin');
    if (url.pathname === WEB_ROUTES.file) {
      if (!tokenMatches(token, tokenOf(url))) return sendText(res, 403, 'Forbidden');
      return handleDownload(res, url, options.dataDir);
    }
    const isPage = url.pathname === '/' || url.pathname === '/index.html';
    if (isPage && !tokenMatches(token, tokenOf(url))) return sendText(res, 403, PAGE_REFUSED);
    return serveStatic(res, options.rendererDir, url.pathname);
  };

  const server: Server = createServer((req, res) => {
    onRequest(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendText(res, 500, e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== WEB_ROUTES.socket) return refuse('404 Not Found');
    if (!hostAllowed(policy, req) || !originAllowed(policy, req, true)) return refuse('403 Forbidden');
    if (!tokenMatches(token, tokenOf(url))) return refuse('403 Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  policy = accessPolicy(bind, port);
  const shownHost = bind.includes(':') ? `[${bind}]` : bind;

  return {
    url: `http://${shownHost}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
