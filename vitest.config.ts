import { defineConfig } from 'vitest/config';

// Two cores here: a few forks, generous timeouts for PGlite start-up and migrations.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default'] : ['default'],
    env: { TZ: 'UTC' },
  },
});
