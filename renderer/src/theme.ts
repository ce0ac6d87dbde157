import { ref } from 'vue';

const media =
  typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

/** True while the OS asks for a dark theme (CSS follows by itself; charts re-render). */
export const isDark = ref(media?.matches ?? false);
media?.addEventListener('change', (e) => {
  isDark.value = e.matches;
});

/** A CSS custom property of the page (chart exports use the panel background). */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v.length > 0 ? v : fallback;
}
