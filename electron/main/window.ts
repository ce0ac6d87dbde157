import { existsSync } from 'node:fs';
import { BrowserWindow, nativeTheme } from 'electron';
import { APP_PATHS } from './app-paths.js';

/** The one app window: isolated, sandboxed, no Node in the page. */
export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'LGG Lab',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#14171c' : '#f4f5f7',
    ...(existsSync(APP_PATHS.icon) ? { icon: APP_PATHS.icon } : {}),
    webPreferences: {
      preload: APP_PATHS.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadFile(APP_PATHS.page);
  return win;
}
