import { defineStore } from 'pinia';
import { ref } from 'vue';
import { LabRequestError } from '../api';

/** A message shown in the corner. */
export interface Toast {
  /** Unique id. */
  id: number;
  /** Severity. */
  level: 'info' | 'error';
  /** Text. */
  text: string;
}

/**
 * A host message as a person should read it: a file uploaded in web mode is named by the path
 * it was dropped with, not by the server's temporary upload folder (`…/tmp/uploads/<batch>/`).
 */
export function forDisplay(text: string): string {
  return text.replace(/(?:[A-Za-z]:)?[^\s"'“”(]*[\\/]tmp[\\/]uploads[\\/][\w-]+[\\/](?:upload[\\/])?/g, '');
}

/** Errors and confirmations: information fades after 4 s; errors stay until dismissed or the page changes. */
export const useNotifyStore = defineStore('notify', () => {
  const toasts = ref<Toast[]>([]);
  let next = 1;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  function push(level: Toast['level'], text: string): void {
    const id = next++;
    toasts.value = [...toasts.value.slice(-4), { id, level, text: forDisplay(text) }];
    if (level === 'info') setTimeout(() => dismiss(id), 4000);
  }

  /** Shows a failure of any kind with what the host said about it. */
  function error(e: unknown, context?: string): void {
    const text = e instanceof LabRequestError || e instanceof Error ? e.message : String(e);
    push('error', context ? `${context}: ${text}` : text);
  }

  /** Drops the errors of the page being left: they were about it. */
  function leavePage(): void {
    if (toasts.value.some((t) => t.level === 'error'))
      toasts.value = toasts.value.filter((t) => t.level !== 'error');
  }

  return { toasts, push, error, dismiss, leavePage, info: (text: string) => push('info', text) };
});
