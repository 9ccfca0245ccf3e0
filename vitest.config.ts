import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests import modules below the package entry: make Node their host as the entry does.
    setupFiles: ['src/node/register.ts'],
  },
});
