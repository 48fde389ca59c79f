/** A seeder Config whose database nothing listens on: for tests that must never reach one. */
import { loadConfig, type Config } from '../../src/config.js';

export const offlineConfig = (env: NodeJS.ProcessEnv = {}): Config =>
  loadConfig({
    // Nothing listens on port 9: a handler that reached the database would fail loudly.
    PG_PORT: '9',
    SEEDER_PG_PASSWORD: 'x',
    LOG_LEVEL: 'error',
    ...env,
  });
