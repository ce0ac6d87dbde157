import { app, dialog, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { ShellCommand } from '../../shared/contract.js';

/** What the menu needs from the app. */
export interface MenuActions {
  /** The window to attach dialogs to. */
  window: () => BrowserWindow | null;
  /** Sends a command to the UI. */
  command: (c: ShellCommand) => void;
  /** The lab's data folder. */
  dataDir: string;
}

async function pickImport(actions: MenuActions, what: 'openFile' | 'openDirectory'): Promise<void> {
  const win = actions.window();
  const options = {
    title: what === 'openFile' ? 'Import dataset files' : 'Import a dataset folder',
    properties: [what],
  } satisfies Electron.OpenDialogOptions;
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  const first = r.filePaths[0];
  if (!r.canceled && first) actions.command({ type: 'import', path: first });
}

/** File (import, data folder), View, Help (system info, about). */
export function buildMenu(actions: MenuActions): Menu {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Import Dataset File…',
          accelerator: 'CmdOrCtrl+O',
          click: () => void pickImport(actions, 'openFile'),
        },
        {
          label: 'Import Dataset Folder…',
          accelerator: 'CmdOrCtrl+Shift+O',
          click: () => void pickImport(actions, 'openDirectory'),
        },
        { type: 'separator' },
        {
          label: 'New Experiment',
          accelerator: 'CmdOrCtrl+N',
          click: () => actions.command({ type: 'navigate', view: 'new' }),
        },
        { label: 'Open Data Folder', click: () => void shell.openPath(actions.dataDir) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        {
          label: 'Datasets',
          accelerator: 'CmdOrCtrl+1',
          click: () => actions.command({ type: 'navigate', view: 'datasets' }),
        },
        {
          label: 'Runs',
          accelerator: 'CmdOrCtrl+2',
          click: () => actions.command({ type: 'navigate', view: 'runs' }),
        },
        {
          label: 'Compare',
          accelerator: 'CmdOrCtrl+3',
          click: () => actions.command({ type: 'navigate', view: 'compare' }),
        },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged
          ? []
          : [
              { type: 'separator' as const },
              { role: 'reload' as const },
              { role: 'toggleDevTools' as const },
            ]),
      ],
    },
    {
      role: 'help',
      submenu: [
        { label: 'System Information', click: () => actions.command({ type: 'navigate', view: 'system' }) },
        { label: 'About LGG Lab', click: () => app.showAboutPanel() },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
