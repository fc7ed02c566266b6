import { defineConfig } from 'vitest/config';
import path from 'node:path';

// Browser tests drive Debian's Chromium against the built product (`next build` must have run).
export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
