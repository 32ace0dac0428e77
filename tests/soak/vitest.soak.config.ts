/** `npm run soak` (scripts/soak.mjs): the full-size soak of issue 10, never part of `npm test`. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'soak',
    environment: 'node',
    include: ['tests/soak/**/*.soak.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
