import type { UiChannel, UiEventChannel, UiEventMap, UiRequestOf, UiResponseOf } from '../../shared/contract';
import { LabRequestError, type DroppedFile, type LabClient } from '../../renderer/src/api/client';
import { setApi } from '../../renderer/src/api';
import { PRESETS } from '../../shared/presets';

type Handler = (payload: unknown) => unknown;

/** A LabClient answering from per-channel handlers, recording calls, emitting events on demand. */
export class FakeClient implements LabClient {
  readonly mode = 'web' as const;
  readonly calls: { channel: string; payload: unknown }[] = [];
  readonly staged: DroppedFile[][] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Set<(p: unknown) => void>>();

  /** Answers `channel` with `value` (or a function of the payload); an Error makes it fail. */
  answer<C extends UiChannel>(
    channel: C,
    value: UiResponseOf<C> | ((p: UiRequestOf<C>) => UiResponseOf<C>) | Error,
  ): this {
    this.handlers.set(channel, (p) => {
      if (value instanceof Error) throw new LabRequestError({ code: 'test', message: value.message });
      return typeof value === 'function' ? (value as (p: unknown) => unknown)(p) : value;
    });
    return this;
  }

  request<C extends UiChannel>(channel: C, payload: UiRequestOf<C>): Promise<UiResponseOf<C>> {
    this.calls.push({ channel, payload });
    const h = this.handlers.get(channel);
    if (!h)
      return Promise.reject(new LabRequestError({ code: 'not-found', message: `no fake for ${channel}` }));
    try {
      return Promise.resolve(h(payload) as UiResponseOf<C>);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  on<E extends UiEventChannel>(channel: E, listener: (payload: UiEventMap[E]) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    this.listeners.set(channel, set);
    set.add(listener as (p: unknown) => void);
    return () => set.delete(listener as (p: unknown) => void);
  }

  emit<E extends UiEventChannel>(channel: E, payload: UiEventMap[E]): void {
    for (const l of this.listeners.get(channel) ?? []) l(payload);
  }

  stageFiles(files: DroppedFile[]): Promise<string> {
    this.staged.push(files);
    return Promise.resolve('/tmp/lab/tmp/uploads/b1');
  }

  downloadUrl(path: string): string {
    return `/files?path=${path}`;
  }

  onConnection(listener: (c: boolean) => void): () => void {
    listener(true);
    return () => undefined;
  }

  /** Channels called, in order. */
  channels(): string[] {
    return this.calls.map((c) => c.channel);
  }
}

/** Installs a fresh fake client as the app's API. */
export function installFake(): FakeClient {
  const fake = new FakeClient();
  setApi(fake);
  return fake;
}

/** A fresh fake client that lists the presets and previews a 2-example LGG (what the forms ask first). */
export function installFormFake(): FakeClient {
  return installFake()
    .answer('lab:presets.list', [...PRESETS])
    .answer('lab:lgg.preview', {
      labels: [0, 1],
      graph: [0, 1, 1, 0],
      sigma1: 2,
      sigma1Pairs: 1,
      sparsity: 0.25,
    });
}
