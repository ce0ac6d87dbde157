import { app, BrowserWindow, Menu, session, shell } from 'electron';
import { createLabHost, type LabHost } from '../host/lab-host.js';
import { resolveDataDir } from '../host/paths.js';
import { PAGE_URL, APP_PATHS } from './app-paths.js';
import { electronTransport, pageUrlOf } from './electron-ipc.js';
import { bindIpc } from './ipc-binding.js';
import { buildMenu } from './menu.js';
import { checkOpenablePath } from './open-path.js';
import { hardenApp, lockSession } from './security.js';
import { UtilityProcessLauncher } from './utility-launcher.js';
import { createMainWindow } from './window.js';

// The CLI and the app share one data folder: "LGG Lab" in the user-data location, or $LGG_LAB_HOME.
app.setName('LGG Lab');
const dataDir = resolveDataDir();

let win: BrowserWindow | null = null;
let host: LabHost | null = null;
let closing = false;

function showWindow(): void {
  if (!win || win.isDestroyed()) win = createMainWindow();
  if (win.isMinimized()) win.restore();
  win.focus();
}

async function start(): Promise<void> {
  hardenApp(() => PAGE_URL);
  lockSession(session.defaultSession);
  app.setAboutPanelOptions({
    applicationName: 'LGG Lab',
    applicationVersion: app.getVersion(),
    credits: 'Latent Geometry Graphs (Lassance, Gripon, Ortega, 2021)',
  });
  host = await createLabHost({
    dataDir,
    mode: 'electron',
    launcher: new UtilityProcessLauncher(APP_PATHS.engine),
    version: app.getVersion(),
  });
  host.follow();
  const binding = bindIpc({
    transport: electronTransport(() => BrowserWindow.getAllWindows()),
    host,
    shell: {
      openPath: async (p, reveal) => {
        const target = await checkOpenablePath(dataDir, p, reveal);
        if (reveal) {
          shell.showItemInFolder(target);
          return true;
        }
        return (await shell.openPath(target)) === '';
      },
    },
    // Only the app's own page in the app's own window may call the lab.
    isTrustedSender: (s) =>
      win !== null && !win.isDestroyed() && s.id === win.webContents.id && pageUrlOf(s.frameUrl) === PAGE_URL,
  });
  Menu.setApplicationMenu(buildMenu({ window: () => win, command: binding.command, dataDir }));
  showWindow();
  app.on('activate', showWindow);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Running runs checkpoint and become "interrupted" (resumable) before the app exits.
  app.on('before-quit', (e) => {
    if (closing || !host) return;
    e.preventDefault();
    closing = true;
    void host.close().finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      console.error('LGG Lab failed to start:', e);
      app.exit(1);
    });
}
