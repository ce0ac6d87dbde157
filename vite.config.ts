import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The renderer is loaded from file:// in Electron and from the web server in web mode, so every
// asset URL is relative (base './').
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [vue()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // ECharts alone is ~600 kB even tree-shaken; a desktop app loads it from disk.
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1' },
});
