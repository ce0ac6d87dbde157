import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LabFailure } from '../../shared/result.js';
import { isInside } from '../common/run-folder/index.js';

/**
 * Which server paths requests may name. The desktop app and the CLI are unrestricted (their user
 * owns the machine); a web-mode server reads only below the roots the person starting it chose
 * (`lgg-lab serve --allow-path`, by default the data folder, which holds the uploads): a token
 * holder must not be able to read the server's other files through an import preview, an analysis
 * or a teacher checkpoint. Paths are checked after resolving `..` and symbolic links.
 */
export class PathPolicy {
  private constructor(
    /** Real paths of the roots; undefined = unrestricted. */
    readonly roots: readonly string[] | undefined,
  ) {}

  /** A policy over `roots` (each resolved to its real path; they must exist), or unrestricted. */
  static async create(roots: readonly string[] | undefined): Promise<PathPolicy> {
    if (roots === undefined) return new PathPolicy(undefined);
    const real = await Promise.all(
      roots.map((r) =>
        fs.realpath(path.resolve(r)).catch(() => {
          throw new LabFailure('not-found', `allowed folder ${r} does not exist`);
        }),
      ),
    );
    return new PathPolicy([...new Set(real)]);
  }

  /** True when requests may name any path. */
  get unrestricted(): boolean {
    return this.roots === undefined;
  }

  /**
   * The real path of `p` (absolute) when requests may read it; otherwise a `forbidden-path` failure
   * naming `what`. A path outside every root is refused without touching the file system (its
   * existence is not revealed); a path below a root that leads out through a link is refused too.
   */
  async check(p: string, what: string): Promise<string> {
    const abs = path.resolve(p);
    if (this.roots === undefined) return abs;
    const roots = this.roots;
    const inside = (q: string): boolean => roots.some((r) => isInside(r, q));
    const refused = (): LabFailure =>
      new LabFailure(
        'forbidden-path',
        `${what}: ${p} is outside the folders this server may read (${roots.join(', ')}); ` +
          'whoever started it can allow more with lgg-lab serve --allow-path <folder>',
      );
    // The roots are real paths, but `abs` may reach one through a link (/tmp → /private/tmp):
    // resolve the nearest existing parent before the lexical test.
    if (!inside(abs) && !inside(await realParent(abs))) throw refused();
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new LabFailure('not-found', `${what}: ${p}: no such file or folder`);
      throw e;
    }
    if (!inside(real)) throw refused();
    return real;
  }
}

/** The real path of the nearest existing ancestor of `abs`, joined with the rest. */
async function realParent(abs: string): Promise<string> {
  let dir = path.dirname(abs);
  const rest = [path.basename(abs)];
  for (;;) {
    try {
      return path.join(await fs.realpath(dir), ...rest);
    } catch {
      const up = path.dirname(dir);
      if (up === dir) return abs;
      rest.unshift(path.basename(dir));
      dir = up;
    }
  }
}
