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

/** Errors and confirmations, shown briefly; errors stay until dismissed. */
export const useNotifyStore = defineStore('notify', () => {
  const toasts = ref<Toast[]>([]);
  let next = 1;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  function push(level: Toast['level'], text: string): void {
    const id = next++;
    toasts.value = [...toasts.value.slice(-4), { id, level, text }];
    if (level === 'info') setTimeout(() => dismiss(id), 4000);
  }

  /** Shows a failure of any kind with what the host said about it. */
  function error(e: unknown, context?: string): void {
    const text = e instanceof LabRequestError || e instanceof Error ? e.message : String(e);
    push('error', context ? `${context}: ${text}` : text);
  }

  return { toasts, push, error, dismiss, info: (text: string) => push('info', text) };
});
