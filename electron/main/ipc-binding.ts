import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  SHELL_CHANNELS,
  shellRequestSchemas,
  type ShellChannel,
  type ShellCommand,
  type ShellResponseMap,
  type UiEventChannel,
} from '../../shared/contract.js';
import { err, ok, toLabError, type Result } from '../../shared/result.js';
import type { HostApi } from '../host/host-api.js';

/** Who sent an IPC request: the web contents and the URL of the frame. */
export interface IpcSender {
  /** `webContents.id`. */
  id: number;
  /** URL of the sending frame (`event.senderFrame.url`). */
  frameUrl: string;
}

/**
 * The slice of Electron's IPC the binding needs, so it can be tested with a fake:
 * `ipcMain.handle` / `removeHandler` for requests and `webContents.send` for events.
 */
export interface IpcTransport {
  /** Registers the handler of a request channel. */
  handle(channel: string, handler: (sender: IpcSender, payload: unknown) => Promise<Result<unknown>>): void;
  /** Removes it. */
  removeHandler(channel: string): void;
  /** Pushes an event to every trusted window. */
  broadcast(channel: UiEventChannel, payload: unknown): void;
}

/** Desktop actions behind the shell channels. */
export interface ShellActions {
  /** Opens (or reveals) a path with the OS. */
  openPath(path: string, reveal: boolean): Promise<boolean>;
}

/** What the binding needs. */
export interface IpcBindingOptions {
  /** The transport (ipcMain in the app, a fake in tests). */
  transport: IpcTransport;
  /** The contract's implementation. */
  host: HostApi;
  /** Desktop actions. */
  shell: ShellActions;
  /** True for the app's own window and page; everything else is refused. */
  isTrustedSender: (sender: IpcSender) => boolean;
}

async function shellRequest<C extends ShellChannel>(
  shell: ShellActions,
  channel: C,
  payload: unknown,
): Promise<Result<ShellResponseMap[C]>> {
  const parsed = shellRequestSchemas[channel].safeParse(payload);
  if (!parsed.success) {
    return err(
      'invalid-request',
      `Invalid payload for ${channel}: ${parsed.error.message}`,
      parsed.error.issues,
    );
  }
  return ok({ opened: await shell.openPath(parsed.data.path, parsed.data.reveal) });
}

/**
 * Binds every request channel of the contract to the host (validated there with zod) and every
 * host event to the windows. Replies are always Result envelopes: Electron strips thrown errors.
 * Returns the function that unbinds everything.
 */
export function bindIpc(options: IpcBindingOptions): {
  unbind: () => void;
  command: (c: ShellCommand) => void;
} {
  const { transport, host, shell, isTrustedSender } = options;
  const guard =
    (run: (payload: unknown) => Promise<Result<unknown>>) =>
    async (sender: IpcSender, payload: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(sender)) return err('forbidden', 'Request from an untrusted frame refused');
      try {
        return await run(payload);
      } catch (e) {
        return { ok: false, error: toLabError(e) };
      }
    };
  for (const channel of REQUEST_CHANNELS) {
    transport.handle(
      channel,
      guard((payload) => host.dispatch(channel, payload)),
    );
  }
  for (const channel of SHELL_CHANNELS) {
    transport.handle(
      channel,
      guard((payload) => shellRequest(shell, channel, payload)),
    );
  }
  const unsubscribe = host.subscribe((channel, payload) => {
    if (EVENT_CHANNELS.includes(channel)) transport.broadcast(channel, payload);
  });
  return {
    unbind: () => {
      unsubscribe();
      for (const channel of [...REQUEST_CHANNELS, ...SHELL_CHANNELS]) transport.removeHandler(channel);
    },
    command: (c) => transport.broadcast('lab:shell.onCommand', c),
  };
}
