import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const base = { SEEDER_PG_PASSWORD: 'pw' };

describe('loadConfig', () => {
  it('applies defaults and parses the populate-on-start options', () => {
    const c = loadConfig({
      ...base,
      SEED_ON_START: 'customers=20, products=5,orders=40,seed=3',
      DELTAS_ON_START: '25',
    });
    expect(c.db).toMatchObject({ host: '127.0.0.1', port: 4444, database: 'storefront', user: 'seeder' });
    expect(c.http.port).toBe(8000);
    expect(c.seedOnStart).toEqual({ customers: 20, products: 5, orders: 40, seed: 3 });
    expect(c.deltasOnStart).toBe(25);
  });

  it('treats empty optional keys as unset', () => {
    const c = loadConfig({ ...base, SEED_ON_START: '', DELTAS_ON_START: '' });
    expect(c.seedOnStart).toBeUndefined();
    expect(c.deltasOnStart).toBeUndefined();
  });

  it('lists every bad key at once', () => {
    try {
      loadConfig({ PG_PORT: 'abc', SEEDER_PG_PASSWORD: "it's", SEED_ON_START: 'users=4' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).issues.join('\n');
      for (const key of ['PG_PORT', 'SEEDER_PG_PASSWORD', 'SEED_ON_START']) expect(text).toContain(key);
      expect((err as ConfigError).issues).toHaveLength(3);
      // The seeder needs no other role's password, so none is missing.
      expect(text).not.toMatch(/(^|[^_])(PG_PASSWORD|DEBEZIUM_PG_PASSWORD)/m);
    }
  });
});
