/**
 * Real Flyway (its command line, from Maven Central) applying migrations/, configured with the
 * same FLYWAY_* environment variables as the compose service.
 */
import path from 'node:path';
import { StackError, type Component, type Context } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { findJava } from '../java.js';
import { dockerlessJvmOptions, jvmOptions, PREFERRED_JAVA } from '../jvm.js';
import { resolveArtifacts, type Artifacts } from '../maven.js';
import { runCapturing, tail } from '../processes.js';
import { superuserClient } from './postgres.js';

const NAME = 'flyway';

/** The Flyway settings, exactly as docker-compose.source.yaml passes them to the flyway image. */
export function flywayEnv(cfg: StackConfig, database: string): Record<string, string> {
  const e = cfg.env;
  return {
    FLYWAY_URL: `jdbc:postgresql://127.0.0.1:${e.PG_PORT}/${database}`,
    FLYWAY_USER: e.PG_USER,
    FLYWAY_PASSWORD: e.PG_PASSWORD,
    FLYWAY_LOCATIONS: `filesystem:${path.join(ROOT, 'migrations')}`,
    FLYWAY_CONNECT_RETRIES: '10',
    FLYWAY_PLACEHOLDERS_DEBEZIUM_USER: e.DEBEZIUM_PG_USER,
    FLYWAY_PLACEHOLDERS_DEBEZIUM_PASSWORD: e.DEBEZIUM_PG_PASSWORD,
    FLYWAY_PLACEHOLDERS_SEEDER_USER: e.SEEDER_PG_USER,
    FLYWAY_PLACEHOLDERS_SEEDER_PASSWORD: e.SEEDER_PG_PASSWORD,
    FLYWAY_PLACEHOLDERS_VIEW_USER: e.VIEW_PG_USER,
    FLYWAY_PLACEHOLDERS_VIEW_PASSWORD: e.VIEW_PG_PASSWORD,
    FLYWAY_PLACEHOLDERS_LAKEHOUSE_USER: e.LAKEHOUSE_PG_USER,
    FLYWAY_PLACEHOLDERS_LAKEHOUSE_PASSWORD: e.LAKEHOUSE_PG_PASSWORD,
  };
}

export const flywayArtifacts = (cfg: StackConfig): Artifacts => ({
  dir: `flyway-${cfg.env.FLYWAY_VERSION}`,
  pom: 'jvm/flyway/pom.xml',
  args: ['dependency:copy-dependencies', '-DoutputDirectory={out}', `-Dflyway.version=${cfg.env.FLYWAY_VERSION}`],
  what: `Flyway ${cfg.env.FLYWAY_VERSION} and the PostgreSQL JDBC driver (~5 MB)`,
});

/** Runs `flyway migrate` against `database` (default: PG_DATABASE) and returns its summary line. */
export async function migrate(ctx: Context, database = ctx.cfg.env.PG_DATABASE): Promise<string> {
  const { cfg } = ctx;
  const java = findJava(17, process.env, 'Flyway', PREFERRED_JAVA);
  const lib = await resolveArtifacts(ctx, java, flywayArtifacts(cfg));
  const { code, output } = await runCapturing(cfg, {
    name: NAME,
    command: java.bin,
    args: [
      ...jvmOptions.tool,
      ...dockerlessJvmOptions(cfg, java, 'flyway'),
      '-cp',
      `${lib}/*`,
      'org.flywaydb.commandline.Main',
      '-skipCheckForUpdate',
      'migrate',
    ],
    env: { ...process.env, ...flywayEnv(cfg, database) },
  });
  if (code !== 0) {
    throw new StackError(
      NAME,
      `migrate failed on database ${database} (exit ${code})`,
      'fix the migration named above (never edit one already applied: add a new V<n>__*.sql)',
      tail(cfg, NAME, 25),
    );
  }
  const line = output.split('\n').find((l) => /Successfully applied|is up to date|No migrations found/.test(l));
  return line?.trim() ?? 'migrated';
}

export const flyway: Component = {
  name: NAME,
  kind: 'task',
  up: (ctx) => migrate(ctx),
  async status() {
    return { name: NAME, state: 'not run', detail: 'runs during up; see its log' };
  },
};

/**
 * Drops and recreates `database` (sessions on it are ended), then migrates it (by default with
 * the Flyway command line): tests and the bench.
 */
export async function recreateDatabase(
  ctx: Context,
  database: string,
  migrateIt: (database: string) => Promise<unknown> = (db) => migrate(ctx, db),
): Promise<void> {
  const admin = superuserClient(ctx.cfg);
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  await migrateIt(database);
}
