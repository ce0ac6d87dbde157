import os from 'node:os';
import path from 'node:path';

/** Folder layout inside the lab's data folder. */
export interface LabPaths {
  /** The data folder itself. */
  root: string;
  /** `runs/`: one folder per run. */
  runs: string;
  /** `datasets/`: one folder per dataset. */
  datasets: string;
  /** `tmp/`: staging for imports and exports (same file system, so renames are atomic). */
  tmp: string;
  /** `settings.json`. */
  settings: string;
}

/**
 * The per-user folder the desktop app uses (Electron's `userData` for the app name "LGG Lab"), so
 * the CLI and the app see the same runs and datasets.
 */
export function defaultUserDataDir(): string {
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'LGG Lab');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'LGG Lab');
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'LGG Lab');
  }
}

/** Resolves the data folder: explicit value, else `$LGG_LAB_HOME`, else the user-data folder. */
export function resolveDataDir(explicit?: string): string {
  const chosen = explicit ?? process.env.LGG_LAB_HOME;
  return path.resolve(chosen && chosen.length > 0 ? chosen : defaultUserDataDir());
}

/** The layout of a data folder. */
export function labPaths(dataDir: string): LabPaths {
  return {
    root: dataDir,
    runs: path.join(dataDir, 'runs'),
    datasets: path.join(dataDir, 'datasets'),
    tmp: path.join(dataDir, 'tmp'),
    settings: path.join(dataDir, 'settings.json'),
  };
}
