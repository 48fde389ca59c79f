/**
 * The lakehouse layer: Apache Iceberg's sink connector, in the same Connect worker as Debezium,
 * writes every captured table's change events into an Iceberg table (lakehouse.<table>_changes),
 * with Iceberg's JdbcCatalog in a database of its own on the source server and the warehouse in a
 * local folder. Nothing runs apart from Connect: the layer is the catalog database, the warehouse
 * folder and the connector, which this task sets up as docker-compose.lakehouse.yaml's one-shots do.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';
import { StackError, type Component, type Context } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { topicSpecs } from '../cdc/connector.js';
import type { Java } from '../java.js';
import { resolveArtifacts, type Artifacts } from '../maven.js';
import { allRunning, connectorStatus } from './connect.js';
import { registerConnectors } from './connect-init.js';
import { brokers } from './kafka.js';
import { splitSql, superuserClient } from './postgres.js';

const NAME = 'lakehouse-init';
const POM = 'jvm/iceberg-sink/pom.xml';

export const sinkDir = path.join(ROOT, 'connectors', 'lakehouse');
export const sinkFile = path.join(sinkDir, 'iceberg-sink.template.json');
const sinkTemplate = JSON.parse(readFileSync(sinkFile, 'utf8')) as Record<string, string>;

/** The sink's identity, read from its template (the file the one-shot registers). */
export const sink = {
  name: sinkTemplate.name!,
  /** The Iceberg catalog's name, as readers must name it too. */
  catalog: sinkTemplate['iceberg.catalog']!,
  /** `lakehouse.{table}_changes`: the Iceberg table a captured table's changes land in. */
  tableOf: (table: string) => sinkTemplate['transforms.debezium.cdc.target.pattern']!.replace('{table}', table),
};

/** The warehouse folder: .env's absolute LAKEHOUSE_WAREHOUSE, or <STACK_HOME>/data/lakehouse. */
export const warehouseDir = (cfg: StackConfig) => cfg.env.LAKEHOUSE_WAREHOUSE || path.join(cfg.dirs.data, 'lakehouse');

/**
 * The Iceberg sink's plugin folder (jvm/iceberg-sink/pom.xml), resolved from Maven Central once:
 * one more entry of the worker's plugin.path. Dockerfile.connect resolves it the same way.
 */
export const icebergArtifacts = (cfg: StackConfig): Artifacts => {
  const version = cfg.env.ICEBERG_VERSION;
  // The POM's hash in the folder's name: a changed POM resolves a new folder.
  const pom = createHash('sha256')
    .update(readFileSync(path.join(ROOT, POM)))
    .digest('hex')
    .slice(0, 8);
  return {
    dir: `connect-plugin-iceberg-${version}-${pom}`,
    pom: POM,
    args: ['dependency:copy-dependencies@iceberg', '-Dplugins.dir={out}', `-Diceberg.version=${version}`],
    what: `Apache Iceberg's Kafka Connect sink ${version} with Parquet, Hadoop's file system and the PostgreSQL driver (~75 MB)`,
  };
};

export const icebergPlugin = (ctx: Context, java: Java): Promise<string> =>
  resolveArtifacts(ctx, java, icebergArtifacts(ctx.cfg));

/** psql's `:'name'` (a literal) and `:"name"` (an identifier), filled as psql fills them. */
export function fillPsqlVariables(sql: string, vars: Record<string, string>): string {
  return sql.replace(/(?<!:):(['"])(\w+)\1/g, (_m, quote: string, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`psql variable ${name} is not set`);
    return `${quote}${value.replaceAll(quote, quote + quote)}${quote}`;
  });
}

/**
 * Runs a psql script of plain statements, `:'var'`/`:"var"` variables and `\gexec` (the query's
 * every value is run as a statement): what compose/lakehouse/catalog.sql uses, nothing more.
 */
export async function runPsqlScript(client: pg.Client, sql: string, vars: Record<string, string>): Promise<void> {
  const uncommented = sql.replace(/^\s*--.*$/gm, '');
  const parts = fillPsqlVariables(uncommented, vars).split(/\\gexec[ \t]*$/m);
  for (const [i, part] of parts.entries()) {
    const statements = splitSql(part);
    for (const [j, statement] of statements.entries()) {
      const result = await client.query<Record<string, unknown>>(statement);
      if (i < parts.length - 1 && j === statements.length - 1) {
        for (const row of result.rows) for (const value of Object.values(row)) await client.query(String(value));
      }
    }
  }
}

/** compose/lakehouse/catalog.sql as the superuser: the catalog database, owned by the lakehouse role. */
async function ensureCatalogDatabase(cfg: StackConfig): Promise<void> {
  const client = superuserClient(cfg);
  await client.connect();
  try {
    await runPsqlScript(client, readFileSync(path.join(ROOT, 'compose', 'lakehouse', 'catalog.sql'), 'utf8'), {
      db: cfg.env.LAKEHOUSE_PG_DATABASE,
      owner: cfg.env.LAKEHOUSE_PG_USER,
    });
  } catch (err) {
    throw new StackError(
      NAME,
      `creating the catalog database ${cfg.env.LAKEHOUSE_PG_DATABASE} failed: ${(err as Error).message}`,
      'the role comes from migrations/V8: run npm run stack -- up source first, then up lakehouse',
    );
  } finally {
    await client.end();
  }
}

/**
 * Creates the topics of `tables` that do not exist yet, as Debezium would (topicSpecs), and waits
 * for their leaders. Iceberg's sink must never meet a new topic while it writes: each one rebalances
 * its consumer group, and a rebalance during the sink's transactional offset commit fails its
 * task for good ("consumer group metadata mismatch: Specified group generation id is not valid").
 * CI hit that on fresh stacks, whose topics Debezium creates one by one during the first load.
 * So the layer creates them first, and the sink's first assignment holds every one.
 */
export async function ensureTopics(cfg: StackConfig, tables?: readonly string[]): Promise<string[]> {
  const admin = new Kafka({ brokers: brokers(cfg), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs(tables).filter((t) => !existing.has(t.topic));
    if (missing.length > 0)
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
        })),
      });
    return missing.map((t) => t.topic);
  } catch (err) {
    throw new StackError(
      NAME,
      `creating the captured tables' topics failed: ${(err as Error).message}`,
      'is Kafka up? npm run stack -- status',
    );
  } finally {
    await admin.disconnect();
  }
}

export const lakehouseInit: Component = {
  name: NAME,
  kind: 'task',
  // The role from the migrations; Connect with the plugin (the sink's first records need the
  // registry, which connect-init waits for).
  needs: ['flyway', 'connect', 'connect-init'],

  async up(ctx) {
    const { cfg } = ctx;
    await ensureCatalogDatabase(cfg);
    const warehouse = warehouseDir(cfg);
    mkdirSync(warehouse, { recursive: true });
    const created = await ensureTopics(cfg);
    if (created.length > 0)
      ctx.say(`${NAME}: created ${created.length} captured tables' topics, so the sink subscribes to them all at once`);
    return registerConnectors(ctx, NAME, sinkDir, { LAKEHOUSE_WAREHOUSE: warehouse });
  },

  /** The sink it registered, as Connect reports it: the layer's only moving part. */
  async status(ctx) {
    const s = await connectorStatus(ctx.cfg, sink.name, 3_000);
    if (s === undefined)
      return { name: NAME, state: 'not run', detail: 'Kafka Connect does not answer, so the sink cannot be asked' };
    if (s === null)
      return { name: NAME, state: 'not run', detail: `${sink.name} is not registered: npm run stack -- up lakehouse` };
    const tasks = s.tasks.map((t) => t.state);
    const running = allRunning(s);
    const failed = [s.connector.state, ...tasks].includes('FAILED');
    const every = ctx.cfg.env.LAKEHOUSE_COMMIT_INTERVAL_MS / 1000;
    return {
      name: NAME,
      state: running ? 'up' : failed ? 'down' : 'starting',
      detail: `${sink.name} ${s.connector.state} (tasks: ${tasks.join(', ') || 'none'}), a commit every ${every} s into ${warehouseDir(ctx.cfg)}`,
    };
  },
};
