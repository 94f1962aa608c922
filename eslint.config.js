import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer rules (see README, "Architecture"). Each entry: the files it governs, and what they
 * may not import. Type-only imports count too. The composition root (src/app.ts, src/main.ts)
 * is the only file that imports every layer.
 */
const restrict = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  },
});

const LAYERS = [
  restrict(
    ['src/domain/**/*.ts'],
    [
      '**/channels/**',
      '**/server/**',
      '**/handlers/**',
      '**/core/conversation*',
      'express',
      'telegraf',
      'telegraf/*',
    ],
    'The domain knows nothing of chat platforms, HTTP or handlers.',
  ),
  restrict(
    ['handlers/**/*.ts'],
    [
      '**/src/db/**',
      '**/src/channels/**',
      '**/src/server/**',
      '**/src/delivery/**',
      '**/src/state/**',
      'express',
      'telegraf',
      'telegraf/*',
      '@prisma/*',
      'ioredis',
      'pg',
      'pg-boss',
    ],
    'Handlers use the domain services in ctx.services, never the database, a channel adapter or HTTP.',
  ),
  restrict(
    ['src/channels/**/*.ts'],
    ['**/handlers/**', '**/services/**'],
    'Channel adapters translate platforms to the message model; they know no feature.',
  ),
  restrict(
    ['src/text/**/*.ts'],
    ['**/domain/**', '**/core/**', '**/channels/**', '**/handlers/**', '**/db/**'],
    'Text utilities stand alone.',
  ),
  restrict(
    ['src/core/**/*.ts'],
    [
      '**/db/**',
      '**/channels/**',
      '**/handlers/**',
      '**/server/**',
      '**/services/**',
      'express',
      'telegraf',
      'telegraf/*',
    ],
    'The conversation core depends on the message model and its own interfaces only.',
  ),
  restrict(
    ['src/services/**/*.ts', 'src/report-parser/**/*.ts', 'src/citizens/**/*.ts'],
    ['**/channels/**', '**/handlers/**', '**/server/**', 'express', 'telegraf', 'telegraf/*'],
    'Domain services and engines know nothing of chat platforms, HTTP or handlers.',
  ),
  restrict(
    ['src/dashboard/**/*.ts'],
    ['**/channels/**', '**/handlers/**', 'telegraf', 'telegraf/*'],
    'The web dashboard is a view over the domain; it knows no chat platform or feature handler.',
  ),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'src/db/generated/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        document: 'readonly',
        window: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  ...LAYERS,
);
