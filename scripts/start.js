// `npm start`: the desktop app when Electron can run here, else the same UI in web mode.
// Plain Node ESM, run after `npm run build`. It never waits on Electron's binary download:
// `require('electron')` would start one, so the binary is looked up on disk instead.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EARLY_EXIT_MS = 5000;

function say(line) {
  process.stdout.write(`${line}\n`);
}

/** Why Electron cannot start here, or null if it may. */
function electronBlocker() {
  if (process.env.LGG_LAB_WEB === '1' || process.argv.includes('--web'))
    return { reason: 'web mode was requested' };
  let pkgDir;
  try {
    pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  const binary = existsSync(pathFile)
    ? path.join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim())
    : null;
  if (!binary || !existsSync(binary)) {
    return {
      reason:
        "Electron's binary is not installed (Electron downloads it on first launch, which needs internet; " +
        'with a connection, run `npx install-electron`)',
    };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  return { binary };
}

async function startWeb(reason) {
  say(`LGG Lab: Electron cannot start because ${reason}.`);
  say('LGG Lab: starting in web mode instead (the same UI, served to your browser).');
  const server = path.join(root, 'dist', 'electron', 'server', 'serve-lab.js');
  const paths = path.join(root, 'dist', 'electron', 'host', 'paths.js');
  if (!existsSync(server) || !existsSync(path.join(root, 'dist', 'renderer', 'index.html'))) {
    say('LGG Lab: the app is not built. Run `npm run build`, then `npm start`.');
    process.exit(1);
  }
  const { serveLab } = await import(pathToFileURL(server).href);
  const { resolveDataDir } = await import(pathToFileURL(paths).href);
  const dataDir = resolveDataDir();
  const port = Number(process.env.PORT ?? 0);
  const lab = await serveLab({ dataDir, port: Number.isInteger(port) ? port : 0 });
  say(`LGG Lab (web mode) on ${lab.url}`);
  say(`data folder: ${dataDir}`);
  say('Open the URL above in a browser. Ctrl-C stops the server.');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    lab.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function startElectron(binary) {
  return new Promise((resolve) => {
    const started = Date.now();
    let settled = false;
    const child = spawn(binary, ['.'], { cwd: root, stdio: 'inherit', env: process.env });
    const settle = (outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    child.once('error', (e) => settle({ failed: `Electron could not be started (${e.message})` }));
    child.once('exit', (code, signal) => {
      if (Date.now() - started < EARLY_EXIT_MS && code !== 0) {
        settle({
          failed: `Electron exited right after starting (${signal ?? `code ${code}`}; missing system libraries or no usable display?)`,
        });
      } else settle({ exited: code ?? 0 });
    });
    for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
  });
}

const blocker = electronBlocker();
if (blocker.reason) {
  await startWeb(blocker.reason);
} else {
  if (!existsSync(path.join(root, 'dist', 'electron', 'main', 'main.js'))) {
    say('LGG Lab: the app is not built. Run `npm run build`, then `npm start`.');
    process.exit(1);
  }
  const outcome = await startElectron(blocker.binary);
  if (outcome.failed) await startWeb(outcome.failed);
  else process.exit(outcome.exited);
}
