import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{edge,sender,shared,node,cli,test,dashboard}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Test files share one Redis: each uses its own queue prefix, but keep parallelism modest on 2 cores.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
