import { defineConfig } from 'vitest/config';

const shared = {
  // Integration suites start real stand-ins (DynamoDB Local, fauxqs, simulators) on their own ports.
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
  // Readers the functions load by need (prepareReaders), loaded up front for tests that call the
  // extractors and the engine directly.
  setupFiles: ['test/support/load-readers.ts'],
};

/**
 * The chaos soak runs last and alone: it audits exactness under crashes injected at random
 * moments, and the other suites' load on a 2-core machine would widen the windows it crashes into
 * (the one between a metric line and its confirmation) far beyond what one busy function sees.
 */
const SOAK = 'test/integration/soak.test.ts';

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          ...shared,
          name: 'suites',
          include: ['test/**/*.test.ts'],
          exclude: [SOAK],
          sequence: { groupOrder: 0 },
        },
      },
      { test: { ...shared, name: 'soak', include: [SOAK], sequence: { groupOrder: 1 } } },
    ],
  },
});
