import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parse } from 'dotenv';
import { z } from 'zod';
import { AllowedHosts } from './request-guard.js';

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

/** Where the database is: what every component that reads it shares. */
export const DatabaseEnv = z.object({
  PG_HOST: z.string().min(1).default('127.0.0.1'),
  PG_PORT: port.default(4444),
  PG_DATABASE: identifier.default('storefront'),
});

/**
 * The seeder's keys, and no other role's: its own database role (V3, DML only), never the
 * superuser's or Debezium's password (the stack's StackEnv holds those).
 */
export const SeederEnv = DatabaseEnv.extend({
  SEEDER_PG_USER: identifier.default('seeder'),
  SEEDER_PG_PASSWORD: secret,
  SEEDER_HOST: z.string().min(1).default('127.0.0.1'),
  SEEDER_PORT: port.default(8000),
  /** More host names the seeder and the view answer to (request-guard.ts); empty: only their own. */
  HTTP_ALLOWED_HOSTS: AllowedHosts,
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
  http: { host: string; port: number; allowedHosts: string[] };
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

/**
 * A process's own settings: the keys of its schema from .env in the working directory (when there
 * is one), under the same keys of the environment, and nothing else. `import 'dotenv/config'`
 * would put the whole .env (every role's password) into the process's environment.
 */
export function ownSettings(
  schema: z.ZodObject,
  processEnv: NodeJS.ProcessEnv = process.env,
  file = '.env',
): Record<string, string> {
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  const out: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = processEnv[key] ?? fromFile[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
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
    http: { host: e.SEEDER_HOST, port: e.SEEDER_PORT, allowedHosts: e.HTTP_ALLOWED_HOSTS },
    logLevel: e.LOG_LEVEL,
    seedOnStart: e.SEED_ON_START,
    deltasOnStart: e.DELTAS_ON_START || undefined,
    renderThreads: e.SEEDER_RENDER_THREADS ?? Math.max(1, availableParallelism() - 1),
  };
}
