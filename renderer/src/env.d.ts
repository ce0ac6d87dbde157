// For tools that read .ts files without Vue's language plugin (type-aware lint); vue-tsc and
// Vite resolve the real components.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
