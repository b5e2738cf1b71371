// Lint rules, and the determinism fence: orchestrators may import only durable-functions,
// shared/contracts and shared/domain, and may not read the clock, randomness, timers or env.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export const orchestratorFence = {
  files: ['functions/orchestrators/**/*.ts', 'test/fixtures/fence/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [{
        regex: '^(?!durable-functions$|(\\.\\./)+shared/(contracts|domain)/|\\./).*',
        message: 'Orchestrators may import only durable-functions, shared/contracts and shared/domain (determinism fence).',
      }],
    }],
    'no-restricted-globals': ['error',
      { name: 'process', message: 'No process.env in orchestrators: pass values in the input.' },
      { name: 'setTimeout', message: 'Use context.df.createTimer.' },
      { name: 'setInterval', message: 'Use context.df.createTimer.' },
      { name: 'setImmediate', message: 'Not deterministic.' },
      { name: 'fetch', message: 'I/O belongs in activities.' },
      { name: 'crypto', message: 'Randomness belongs in activities.' },
      { name: 'performance', message: 'Use context.df.currentUtcDateTime.' },
      { name: 'Buffer', message: 'No Node built-ins in orchestrators.' },
      { name: 'require', message: 'No dynamic imports in orchestrators.' },
    ],
    'no-restricted-properties': ['error',
      { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime.' },
      { object: 'Math', property: 'random', message: 'Not deterministic.' },
    ],
    'no-restricted-syntax': ['error',
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the clock: use context.df.currentUtcDateTime.' },
      { selector: 'ImportExpression', message: 'No dynamic import in orchestrators.' },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.lab/**', '.bicep/**', 'coverage/**', 'test/fixtures/fence/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
      // Protocol data (IMAP, CSV, blob names) is exactly where control characters must be matched on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Typed rules for TypeScript only; the JS config files are linted without types.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits loses its rejection: await it, or `void` it with a comment why.
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  orchestratorFence,
);
