import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { z } from 'zod';
import { identifier, parseEnv, port, secret, SeederEnv } from '../../seeder/src/config.js';
import { ViewEnv } from '../../view/src/config.js';

/** The repository root: the stack reads the very files compose mounts, from here. */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The .env keys the stack uses: the seeder's own schema (so a bad seeder setting fails `up` before
 * anything starts, and the stack passes exactly those keys on), plus versions and ports.
 */
export const StackEnv = SeederEnv.extend({
  /** The superuser (Flyway, the stack's own checks) and Debezium's role: the stack's alone. */
  PG_USER: identifier.default('postgres'),
  PG_PASSWORD: secret,
  DEBEZIUM_PG_USER: identifier.default('debezium'),
  DEBEZIUM_PG_PASSWORD: secret,
  POSTGRES_VERSION: z.string().regex(/^\d+(\.\d+)?$/, 'must look like 17 or 17.10'),
  FLYWAY_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must look like 11.14.1'),
  KAFKA_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must look like 4.3.1'),
  DEBEZIUM_VERSION: z.string().regex(/^\d+\.\d+\.\d+\.\w+$/, 'must look like 3.7.0.Final'),
  APICURIO_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must look like 3.3.3'),
  APICURIO_CONVERTER_VERSION: z.string().regex(/^\d+\.\d+\.\d+(\.\w+)?$/, 'must look like 2.6.13.Final'),
  ICEBERG_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must look like 1.12.0'),
  /** The lakehouse: the sink's catalog role and database, the warehouse, the commit interval. */
  LAKEHOUSE_PG_USER: z.string().min(1),
  LAKEHOUSE_PG_PASSWORD: z.string().min(1),
  LAKEHOUSE_PG_DATABASE: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a plain lower-case name'),
  /** Absolute; empty: <STACK_HOME>/data/lakehouse. */
  LAKEHOUSE_WAREHOUSE: z
    .string()
    .optional()
    .refine((v) => !v || path.isAbsolute(v), 'must be an absolute path (Iceberg stores absolute paths)'),
  LAKEHOUSE_COMMIT_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000),
  KAFKA_PORT: port.default(9092),
  /** The KRaft controller listener: local to the dockerless broker. */
  KAFKA_CONTROLLER_PORT: port.default(9093),
  REGISTRY_PORT: port.default(8081),
  /** The registry's management interface (health, metrics). */
  REGISTRY_MANAGEMENT_PORT: port.default(8091),
  CONNECT_PORT: port.default(8083),
  /** The pipeline view's port and database role: its own schema's keys. */
  ...ViewEnv.pick({ VIEW_PORT: true, VIEW_PG_USER: true, VIEW_PG_PASSWORD: true }).shape,
  /** Where the stack keeps data, logs, pids and downloads (git-ignored). */
  STACK_HOME: z.string().default('.stack'),
  /** Resolved jars, shared by every STACK_HOME (the test suites use their own homes). */
  STACK_LIB: z.string().default('.stack/lib'),
});
export type StackEnv = z.infer<typeof StackEnv>;

export interface StackConfig {
  env: StackEnv;
  /** The raw merged environment (.env under the process environment), for child processes. */
  raw: Record<string, string>;
  home: string;
  dirs: { run: string; logs: string; data: string; lib: string };
}

/**
 * .env, then the process environment on top (as docker compose does), validated with the same
 * schema the seeder uses, so a bad key is reported before anything starts.
 */
export function loadStackConfig(processEnv: NodeJS.ProcessEnv = process.env): StackConfig {
  const file = path.join(ROOT, '.env');
  const fromFile = existsSync(file) ? parse(readFileSync(file)) : {};
  const raw: Record<string, string> = { ...fromFile };
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) raw[k] = v;
  const env = parseEnv(StackEnv, raw);
  const home = path.resolve(ROOT, env.STACK_HOME);
  return {
    env,
    raw,
    home,
    dirs: {
      run: path.join(home, 'run'),
      logs: path.join(home, 'logs'),
      data: path.join(home, 'data'),
      lib: path.resolve(ROOT, env.STACK_LIB),
    },
  };
}
