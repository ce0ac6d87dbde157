import { serveLab } from '../../server/serve-lab.js';
import { defineCommand, UsageError } from '../command.js';
import { labVersion } from './host-context.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** `lgg-lab serve`: the lab's UI in a browser, served from this machine. */
export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'serve the lab UI to a browser (web mode), on 127.0.0.1 with an access token',
  usage: [
    'usage: lgg-lab serve [--port N] [--host ADDRESS] [--allow-path DIR …] [--max-upload-gb G] [--data-dir DIR]',
    '',
    'Prints the URL to open; it carries a random access token that the page, the socket and',
    'uploads require. Stop with Ctrl-C: running runs checkpoint and can be resumed.',
    'Requests may name server paths (import a folder, a teacher checkpoint) only inside the data',
    'folder and the --allow-path folders, after resolving links and "..".',
  ].join('\n'),
  options: {
    port: { type: 'number', help: 'TCP port (default 0: any free port)' },
    host: {
      type: 'string',
      value: 'ADDRESS',
      help: 'interface to bind (default 127.0.0.1; anything else exposes the lab to the network)',
    },
    'allow-path': {
      type: 'string',
      multiple: true,
      value: 'DIR',
      help: 'a server folder the browser may import from or read checkpoints in, besides the data folder',
    },
    'max-upload-gb': {
      type: 'number',
      value: 'G',
      help: 'largest file a browser may upload for import (default 4)',
    },
  },
  maxPositionals: 0,
  async run(args, ctx) {
    const port = args.options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError('--port expects an integer in 0..65535');
    const bind = args.options.host ?? '127.0.0.1';
    const gb = args.options['max-upload-gb'];
    if (gb !== undefined && !(gb > 0)) throw new UsageError('--max-upload-gb expects a positive number');
    if (!LOOPBACK.has(bind)) {
      ctx.err(
        `warning: binding ${bind} exposes the lab beyond this machine; only the token protects it and traffic is not encrypted.`,
      );
    }
    const lab = await serveLab({
      dataDir: ctx.dataDir,
      port,
      bind,
      version: labVersion,
      ...(gb !== undefined ? { maxUploadBytes: Math.round(gb * 2 ** 30) } : {}),
      allowPaths: args.options['allow-path'] ?? [],
    });
    ctx.out(`LGG Lab (web mode) on ${lab.url}`);
    ctx.out(`data folder: ${ctx.dataDir}`);
    ctx.out(`server paths the browser may use: ${lab.allowedRoots.join(', ')}`);
    ctx.out('Open the URL above in a browser. Ctrl-C stops the server.');
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.out('stopping…');
    await lab.close();
    return 0;
  },
});
