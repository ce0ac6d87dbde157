import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabFailure } from '../../../../shared/result.js';

/**
 * Splits a command line into words the way a POSIX shell would for plain words and quotes
 * ('…' literal, "…" with \" and \\ escapes, \x outside quotes); anything needing a real shell
 * (variables, globs, pipes) is taken literally. Throws on an unclosed quote.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new LabFailure('invalid-request', `lab command: unclosed ' in ${line}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) j++;
        word += line[j] ?? '';
      }
      if (j >= line.length) throw new LabFailure('invalid-request', `lab command: unclosed " in ${line}`);
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** A word as a single-quoted shell word (safe for any content). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** This installation's `bin/lgg-lab.js` (from the built host under dist/, or from the sources in tests). */
function installedBin(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const bin = path.join(dir, 'bin', 'lgg-lab.js');
    if (existsSync(bin) && existsSync(path.join(dir, 'package.json'))) return bin;
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * The command compute nodes start the lab with: the setting when there is one, else this
 * installation's Node and `bin/lgg-lab.js` by absolute path (clusters share home and software
 * folders; compute nodes often have neither internet nor npm to install anything).
 */
export function labCommandWords(setting: string | undefined): string[] {
  if (setting !== undefined) {
    const words = splitCommandLine(setting);
    if (words.length === 0) throw new LabFailure('invalid-request', 'the lab command is empty');
    return words;
  }
  if (process.versions.electron) {
    throw new LabFailure(
      'lab-command-needed',
      'Compute nodes cannot start the desktop app. Set the lab command in Settings → Cluster to an ' +
        'lgg-lab installation the nodes can reach, e.g. "/shared/node/bin/node /shared/lgg-lab/bin/lgg-lab.js".',
    );
  }
  const bin = installedBin();
  if (!bin)
    throw new LabFailure(
      'lab-command-needed',
      "cannot find this installation's bin/lgg-lab.js: set --lab-command",
    );
  return [process.execPath, bin];
}
