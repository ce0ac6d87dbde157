import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/** The screens of the lab. */
export type View = 'datasets' | 'new' | 'runs' | 'run' | 'compare' | 'system';

/** Where the UI is: a view and its parameters. */
export interface Route {
  /** The screen. */
  view: View;
  /** Run id (dashboard). */
  runId?: string;
  /** Run ids (compare). */
  ids?: string[];
}

const VIEWS: readonly View[] = ['datasets', 'new', 'runs', 'run', 'compare', 'system'];

/** Parses `#/runs/<id>`, `#/compare?ids=a,b`, `#/system`, … (unknown → runs). */
export function parseHash(hash: string): Route {
  const [pathPart = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [head = '', id] = pathPart.split('/');
  if (head === 'runs' && id) return { view: 'run', runId: decodeURIComponent(id) };
  if (head === 'compare') {
    const ids = new URLSearchParams(query).get('ids');
    return { view: 'compare', ids: ids ? ids.split(',').filter(Boolean) : [] };
  }
  return VIEWS.includes(head as View) && head !== 'run' ? { view: head as View } : { view: 'runs' };
}

/** The hash of a route. */
export function toHash(route: Route): string {
  if (route.view === 'run') return `#/runs/${encodeURIComponent(route.runId ?? '')}`;
  if (route.view === 'compare') return `#/compare?ids=${(route.ids ?? []).join(',')}`;
  return `#/${route.view}`;
}

/** Hash routing: the address stays meaningful (reload, back button) without a router library. */
export const useNavStore = defineStore('nav', () => {
  const route = ref<Route>(parseHash(window.location.hash));
  window.addEventListener('hashchange', () => {
    route.value = parseHash(window.location.hash);
  });

  function go(next: Route): void {
    const hash = toHash(next);
    route.value = next;
    if (window.location.hash !== hash) window.location.hash = hash;
  }

  const view = computed(() => route.value.view);
  return { route, view, go };
});
