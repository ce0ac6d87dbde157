import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Three projects: plain Node (engine, host, cli, server), the renderer in happy-dom, and the
// end-to-end test in Debian's Chromium. Two cores here: at most two test files at once.
export default defineConfig({
  test: {
    maxWorkers: 2,
    // The cluster tests need a Slurm: started here when it is not up and this process may (root).
    globalSetup: ['test/cluster/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          setupFiles: ['test/setup-node.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ['test/renderer/**', 'test/e2e/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/renderer/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
