import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// This file is dist/electron/main/app-paths.js; everything else is found relative to it, which
// holds in development and inside the packaged app's asar alike.
const here = path.dirname(fileURLToPath(import.meta.url));

/** Paths of the built app. */
export const APP_PATHS = {
  /** The renderer page. */
  page: path.resolve(here, '..', '..', 'renderer', 'index.html'),
  /** The bundled sandboxed preload. */
  preload: path.resolve(here, '..', 'preload', 'preload.cjs'),
  /** The engine entry started in utility processes. */
  engine: path.resolve(here, '..', 'engine', 'main.js'),
  /** The window icon. */
  icon: path.resolve(here, '..', '..', '..', 'build', 'icons', '512x512.png'),
};

/** file:// URL of the renderer page (what trusted IPC senders show). */
export const PAGE_URL = pathToFileURL(APP_PATHS.page).href;
