import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** Passwords reach SQL as Flyway placeholders inside quoted literals: keep them plain. */
export const secret = z
  .string()
  .min(1)
  .regex(/^[^'"\\$\s]+$/, 'must not contain quotes, backslashes, $ or spaces');

export const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case SQL identifier');

/** "" means unset: .env files carry `KEY=` for optional settings. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const port = z.coerce.number().int().min(1).max(65535);

/** `customers=2000,products=300,orders=5000,seed=7` */
export const SeedOnStart = z.string().transform((s, ctx) => {
  const out: Record<string, number> = {};
  for (const part of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value] = part.split('=').map((x) => x.trim());
    const n = Number(value);
    if (!key || !['customers', 'products', 'orders', 'seed'].includes(key) || !Number.isInteger(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not one of customers=N, products=N, orders=N, seed=N` });
      return z.NEVER;
    }
    out[key] = n;
  }
  return out;
});

/** The database settings every component shares (.env: PG_*, *_PG_USER, *_PG_PASSWORD). */
export const DatabaseEnv = z.object({
  PG_HOST: z.string().min(1).default('127.0.0.1'),
  PG_PORT: port.default(4444),
  PG_USER: identifier.default('postgres'),
  PG_PASSWORD: secret,
  PG_DATABASE: identifier.default('storefront'),
  DEBEZIUM_PG_USER: identifier.default('debezium'),
  DEBEZIUM_PG_PASSWORD: secret,
  SEEDER_PG_USER: identifier.default('seeder'),
  SEEDER_PG_PASSWORD: secret,
});

export const SeederEnv = DatabaseEnv.extend({
  SEEDER_HOST: z.string().min(1).default('127.0.0.1'),
  SEEDER_PORT: port.default(8000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SEED_ON_START: optional(SeedOnStart),
  DELTAS_ON_START: optional(z.coerce.number().min(0).max(100_000)),
  /** Connections the seeder may hold: one for a full load, the rest for delta lanes and reads. */
  SEEDER_PG_POOL_SIZE: optional(z.coerce.number().int().min(2).max(50)),
  /** Worker threads rendering a full load's rows ahead of its COPY; 0 renders on the main thread. */
  SEEDER_RENDER_THREADS: optional(z.coerce.number().int().min(0).max(32)),
});

export interface Config {
  db: {
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    poolSize: number;
  };
  http: { host: string; port: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  seedOnStart: { customers?: number; products?: number; orders?: number; seed?: number } | undefined;
  deltasOnStart: number | undefined;
  /** Worker threads for full loads: by default one per core but the one PostgreSQL's COPY uses. */
  renderThreads: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** Lists every bad key at once, so a broken .env is fixed in one go. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return result.data;
}

/** A process's settings, or exit 2 with every bad key listed (no stack trace): for main(). */
export function settingsOrExit<T>(processName: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${processName}: ${err.message}\nFix .env (or the environment) and start again.\n`);
    process.exit(2);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const e = parseEnv(SeederEnv, env);
  return {
    db: {
      host: e.PG_HOST,
      port: e.PG_PORT,
      database: e.PG_DATABASE,
      user: e.SEEDER_PG_USER,
      password: e.SEEDER_PG_PASSWORD,
      poolSize: e.SEEDER_PG_POOL_SIZE ?? 6,
    },
    http: { host: e.SEEDER_HOST, port: e.SEEDER_PORT },
    logLevel: e.LOG_LEVEL,
    seedOnStart: e.SEED_ON_START,
    deltasOnStart: e.DELTAS_ON_START || undefined,
    renderThreads: e.SEEDER_RENDER_THREADS ?? Math.max(1, availableParallelism() - 1),
  };
}
