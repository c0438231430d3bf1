import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure logic and runs anywhere; `scenarios` builds real
// simulations (root, namespaces, etcd, flanneld) and needs the setup script's tools.
export default defineConfig({
  test: {
    // Each scenario file builds its own simulation; two files run side by side (2 cores).
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts'],
          exclude: ['harness/**/*.sim.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'scenarios',
          include: ['scenarios/**/*.test.ts', 'harness/**/*.sim.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
