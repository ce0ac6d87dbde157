// Type-aware lint plus the layering of ARCHITECTURE.md, enforced per folder.
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'zlib',
  'http',
];

/** no-restricted-imports patterns forbidding the given groups. */
function forbid(...groups) {
  return ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }];
}

const ours = {
  engine: ['**/engine/**', '**/engine'],
  host: ['**/host/**', '**/host'],
  main: ['**/main/**'],
  server: ['**/server/**'],
  cli: ['**/cli/**'],
  preload: ['**/preload/**'],
  renderer: ['**/renderer/**'],
  electronDir: ['**/electron/**'],
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'coverage/**',
      'test-results/**',
      'test/fixtures/**',
      'bin/**',
      'scripts/**',
      // AssemblyScript (its own types: f32, usize, v128), compiled by asc, not tsc.
      'wasm/**',
      'build/**/*.mjs',
      'eslint.config.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  ...pluginVue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [nodeBuiltins, 'shared/ is pure TypeScript: no Node built-ins'],
        [
          ['electron', '@tensorflow/*', 'vue', 'pinia', 'echarts', 'ws'],
          'shared/ imports no runtime libraries but zod',
        ],
        [
          [...ours.electronDir, ...ours.renderer, '../electron/*', '../renderer/*'],
          'shared/ imports nothing of ours',
        ],
      ),
    },
  },
  {
    files: ['electron/common/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [['electron', '@tensorflow/*', 'vue', 'pinia', 'echarts'], 'common/ is plain Node utilities'],
        [
          [
            ...ours.engine,
            ...ours.host,
            ...ours.main,
            ...ours.server,
            ...ours.cli,
            ...ours.preload,
            ...ours.renderer,
          ],
          'common/ imports only shared/',
        ],
      ),
    },
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [['electron', 'vue', 'pinia', 'echarts'], 'the engine is Node + TF.js only'],
        [
          [...ours.host, ...ours.main, ...ours.server, ...ours.cli, ...ours.preload, ...ours.renderer],
          'the engine imports only shared/',
        ],
      ),
    },
  },
  {
    files: ['electron/host/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [
          ['electron', '@tensorflow/*', 'vue', 'pinia', 'echarts'],
          'the host is plain Node: no Electron, no TF.js',
        ],
        [
          [...ours.engine, ...ours.main, ...ours.server, ...ours.cli, ...ours.preload, ...ours.renderer],
          'the host imports only shared/ (it launches engines by path)',
        ],
      ),
    },
  },
  {
    files: ['electron/server/**/*.ts', 'electron/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [['electron', '@tensorflow/*', 'vue', 'pinia', 'echarts'], 'no Electron or TF.js here'],
        [
          [...ours.engine, ...ours.main, ...ours.preload, ...ours.renderer],
          'server and cli import host and shared',
        ],
      ),
    },
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [['@tensorflow/*', 'vue', 'pinia', 'echarts'], 'training never runs in the main process'],
        [
          [...ours.engine, ...ours.server, ...ours.cli, ...ours.preload, ...ours.renderer],
          'main imports host and shared',
        ],
      ),
    },
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': forbid(
        [[...nodeBuiltins, '@tensorflow/*'], 'the sandboxed preload has no Node built-ins'],
        [
          [...ours.engine, ...ours.host, ...ours.main, ...ours.server, ...ours.cli, ...ours.renderer],
          'preload imports shared only',
        ],
      ),
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    rules: {
      'no-restricted-imports': forbid(
        [[...nodeBuiltins, 'electron', '@tensorflow/*', 'ws'], 'the renderer runs in a browser sandbox'],
        [
          [...ours.electronDir, '../electron/*', '../../electron/*', '../../../electron/*'],
          'renderer imports shared only',
        ],
      ),
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
