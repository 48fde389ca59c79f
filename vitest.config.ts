import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: [
            'seeder/test/unit/**/*.test.ts',
            'stack/test/unit/**/*.test.ts',
            'view/test/unit/**/*.test.ts',
            'bench/test/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          // A real PostgreSQL (the dockerless stack's, or the postgres image on the docker backend),
          // migrated by real Flyway (its command line, or the flyway image), one database per file.
          name: 'integration',
          sequence: { groupOrder: 0 },
          include: ['seeder/test/integration/**/*.test.ts', 'view/test/integration/**/*.test.ts'],
          globalSetup: ['seeder/test/support/global-postgres.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          // The layer as a user runs it: `npm run stack -- up source`, then plain HTTP.
          name: 'e2e',
          include: ['seeder/test/e2e/**/*.test.ts', 'stack/test/e2e/**/*.test.ts', 'view/test/e2e/**/*.test.ts'],
          // local: the dockerless stack; docker: the compose files (stack/test/support/backend.ts).
          globalSetup: ['stack/test/support/global-backend.ts'],
          // After the other projects: the JVMs and the timing-sensitive tests do not share 2 cores.
          sequence: { groupOrder: 1 },
          fileParallelism: false,
          // Above the sum of the waits inside a test, so a stall fails with its own message.
          testTimeout: 240_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
