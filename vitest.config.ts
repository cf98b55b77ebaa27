import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'devices/**/*.test.ts'],
    // tests that start the CLI run the compiled dist/: built from the current sources first
    globalSetup: ['test/support/build-once.ts'],
    // Integration tests start real brokers on ephemeral ports; two cores, so keep parallelism modest.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    allowOnly: false,
  },
});
