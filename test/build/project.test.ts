import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (f: string): string => readFileSync(path.join(root, f), 'utf8');

/** Electron 45's download and packaging tools: they declare a newer Node than the lab needs. */
const ELECTRON_TOOLING = [
  'electron',
  '@electron/get',
  '@electron/rebuild',
  '@electron-internal/extract-zip',
  'node-abi',
  'nopt',
  'abbrev',
];

describe('packaging and Node versions (defect 7)', () => {
  it('sets the Electron fuses in the electron-builder config, with names electron-builder knows', () => {
    const config = yaml.load(read('build/electron-builder.yml')) as {
      electronFuses?: Record<string, boolean>;
    };
    const fuses = config.electronFuses ?? {};
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    const scheme = JSON.parse(read('node_modules/app-builder-lib/scheme.json')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
    };
    for (const name of Object.keys(fuses))
      expect(scheme.definitions.FuseOptionsV1.properties).toHaveProperty(name);
  });

  it('states in the README which Node each use needs, in agreement with every engines field installed', () => {
    const readme = read('README.md');
    const whole =
      /Node\.js (\d+\.\d+(?:\.\d+)?) or later \(or (\d+\.\d+(?:\.\d+)?) or later\) for the whole project/.exec(
        readme,
      );
    const least = /Node (\d+\.\d+(?:\.\d+)?) or later installs, builds, tests and runs the lab/.exec(readme);
    expect(whole, 'README: "Node.js X or later (or Y or later) for the whole project"').not.toBeNull();
    expect(least, 'README: "Node X or later installs, builds, tests and runs the lab"').not.toBeNull();
    const [wholeA, wholeB, minimum] = [whole?.[1], whole?.[2], least?.[1]].map(
      (v) => semver.coerce(v)!.version,
    );
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(semver.satisfies(minimum!, pkg.engines.node)).toBe(true);
    expect(semver.minVersion(pkg.engines.node)?.version).toBe(minimum);
    const warnings: Record<string, string[]> = {};
    for (const [where, p] of Object.entries(lock.packages)) {
      const range = !Array.isArray(p.engines) ? p.engines?.node : undefined;
      if (!where || !range) continue;
      const name = where.replace(/^.*node_modules\//, '');
      // On the whole-project versions npm prints no engine warning at all.
      for (const v of [wholeA!, wholeB!])
        expect(semver.satisfies(v, range), `${name} ${range} on Node ${v}`).toBe(true);
      if (!semver.satisfies(minimum!, range)) (warnings[name] ??= []).push(range);
    }
    // On the least version only Electron's tooling warns, and the README names every one of them.
    expect(Object.keys(warnings).sort()).toEqual([...ELECTRON_TOOLING].sort());
    for (const name of ELECTRON_TOOLING) expect(readme).toContain(`\`${name}\``);
  });
});
