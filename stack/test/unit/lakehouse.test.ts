/**
 * The lakehouse layer's settings, where several files must agree: the sink's template, the compose
 * files, Dockerfile.connect, the stack, and the psql script both paths run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fillPsqlVariables, runPsqlScript, sink, sinkFile } from '../../src/components/lakehouse.js';
import { connector, connectorFile, topicSpecs } from '../../src/cdc/connector.js';
import { lakehouseLines, tableReport } from '../../src/cdc/lakehouse.js';
import { loadStackConfig, ROOT } from '../../src/config.js';

interface Service {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}
const services = (file: string) =>
  (parseYaml(readFileSync(path.join(ROOT, file), 'utf8')) as { services: Record<string, Service> }).services;
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const template = JSON.parse(readFileSync(sinkFile, 'utf8')) as Record<string, string>;

describe('the sink template', () => {
  it("reads the Debezium connector's topics (every captured table, a new one too) and nothing else", () => {
    const regex = new RegExp(`^${template['topics.regex']}$`);
    for (const table of connector.tables) expect(regex.test(`${connector.topicPrefix}.public.${table}`)).toBe(true);
    expect(regex.test(`${connector.topicPrefix}.public.a_table_added_later`)).toBe(true);
    expect(regex.test(`__debezium-heartbeat.${connector.topicPrefix}`)).toBe(false);
    expect(regex.test('control-iceberg')).toBe(false);
  });

  it('routes each table to lakehouse.<table>_changes and commits every few seconds', () => {
    expect(sink.tableOf('orders')).toBe('lakehouse.orders_changes');
    expect(template['iceberg.tables.route-field']).toBe('_cdc.target');
    expect(template['iceberg.control.commit.interval-ms']).toBe('${LAKEHOUSE_COMMIT_INTERVAL_MS}');
    const interval = loadStackConfig({}).env.LAKEHOUSE_COMMIT_INTERVAL_MS;
    expect(interval).toBeGreaterThanOrEqual(1_000);
    expect(interval).toBeLessThanOrEqual(60_000);
  });

  it('logs in to the catalog as the lakehouse role, never the superuser', () => {
    expect(template['iceberg.catalog.jdbc.user']).toBe('${LAKEHOUSE_PG_USER}');
    expect(template['iceberg.catalog.uri']).toMatch(/\/\$\{LAKEHOUSE_PG_DATABASE\}$/);
    expect(JSON.stringify(template)).not.toMatch(/\$\{PG_(USER|PASSWORD)\}/);
  });

  it('is the template notebooks/lakehouse.py reads the catalog and table names from', () => {
    const py = read('notebooks/lakehouse.py');
    expect(py).toContain('"connectors" / "lakehouse" / "iceberg-sink.template.json"');
    expect(py).toContain('SINK["iceberg.catalog"]');
    expect(py).toContain('SINK["transforms.debezium.cdc.target.pattern"]');
  });
});

describe('compose and the stack agree', () => {
  const lakehouse = services('docker-compose.lakehouse.yaml');
  const streaming = services('docker-compose.streaming.yaml');
  const warehouseMount = '${LAKEHOUSE_WAREHOUSE:-${PWD}/lakehouse}:${LAKEHOUSE_WAREHOUSE:-${PWD}/lakehouse}';

  it('mounts the warehouse at the same absolute path in Connect as on the host', () => {
    expect(streaming.connect!.volumes).toContain(warehouseMount);
    expect(lakehouse['lakehouse-warehouse']!.volumes).toEqual([warehouseMount]);
    expect(lakehouse['lakehouse-sink']!.environment!.LAKEHOUSE_WAREHOUSE).toBe(
      '${LAKEHOUSE_WAREHOUSE:-${PWD}/lakehouse}',
    );
  });

  it('registers the sink with the script and templates the stack uses, and checks it by its name', () => {
    const s = lakehouse['lakehouse-sink']!;
    expect(s.volumes).toEqual([
      './compose/connect-init.sh:/connect-init.sh:ro',
      './connectors/lakehouse:/connectors:ro',
    ]);
    expect(s.environment!.CONNECTORS_DIR).toBe('/connectors');
    expect(s.healthcheck!.test.join(' ')).toContain(`/connectors/${sink.name}/status`);
  });

  it('creates the catalog database with the same SQL file and variables', () => {
    const c = lakehouse['lakehouse-catalog']!;
    expect(c.volumes).toEqual(['./compose/lakehouse/catalog.sql:/catalog.sql:ro']);
    expect(c.command).toEqual(
      expect.arrayContaining([
        'db=${LAKEHOUSE_PG_DATABASE:?set LAKEHOUSE_PG_DATABASE in .env}',
        'owner=${LAKEHOUSE_PG_USER:?set LAKEHOUSE_PG_USER in .env}',
        '/catalog.sql',
      ]),
    );
    expect(read('stack/src/components/lakehouse.ts')).toMatch(
      /db: cfg\.env\.LAKEHOUSE_PG_DATABASE,\s+owner: cfg\.env\.LAKEHOUSE_PG_USER/,
    );
  });

  it('builds the plugin into the Connect image with the POM and version the stack uses', () => {
    const docker = read('Dockerfile.connect');
    expect(docker).toContain('COPY jvm/iceberg-sink/pom.xml jvm/iceberg-sink/pom.xml');
    expect(docker).toContain('dependency:copy-dependencies@iceberg');
    expect(docker).toContain('-Diceberg.version="${ICEBERG_VERSION:?}"');
    expect(read('.dockerignore')).toContain('!jvm/iceberg-sink/pom.xml');
    expect(
      (parseYaml(read('docker-compose.streaming.yaml')) as { services: { connect: { build: { args: object } } } })
        .services.connect.build.args,
    ).toMatchObject({ ICEBERG_VERSION: '${ICEBERG_VERSION:?set ICEBERG_VERSION in .env}' });
    expect(read('jvm/iceberg-sink/pom.xml')).toContain(
      `<iceberg.version>${loadStackConfig({}).env.ICEBERG_VERSION}</iceberg.version>`,
    );
  });
});

describe("psql's variables and \\gexec, as the stack runs compose/lakehouse/catalog.sql", () => {
  it('fills literals and identifiers with their quotes doubled, and leaves casts alone', () => {
    expect(fillPsqlVariables(`SELECT :'db', :"db", 1::int`, { db: `o'd"d` })).toBe(`SELECT 'o''d"d', "o'd""d", 1::int`);
    expect(() => fillPsqlVariables(`SELECT :'nope'`, {})).toThrow(/nope is not set/);
  });

  it('runs each statement, and each value a \\gexec query returns, in order', async () => {
    const ran: string[] = [];
    const client = {
      query: async (sql: string) => {
        ran.push(sql);
        return { rows: sql.startsWith('SELECT format') ? [{ format: 'CREATE DATABASE "lakehouse" OWNER "lh"' }] : [] };
      },
    };
    await runPsqlScript(client as never, read('compose/lakehouse/catalog.sql'), { db: 'lakehouse', owner: 'lh' });
    expect(ran).toEqual([
      expect.stringMatching(/^SELECT format\('CREATE DATABASE %I OWNER %I', 'lakehouse', 'lh'\)\nWHERE NOT EXISTS/),
      'CREATE DATABASE "lakehouse" OWNER "lh"',
      'ALTER DATABASE "lakehouse" OWNER TO "lh"',
      'REVOKE CONNECT ON DATABASE "lakehouse" FROM PUBLIC',
    ]);
  });
});

describe("the captured tables' topics, created before the sink subscribes", () => {
  // compose/lakehouse/topics.sh (compose's lakehouse-topics) and ensureTopics (the stack) read the
  // same template; each tool call the script would make is the stack's spec of that topic.
  const calls = execFileSync('sh', [path.join(ROOT, 'compose', 'lakehouse', 'topics.sh')], {
    env: { ...process.env, DRY_RUN: '1', TEMPLATE: connectorFile },
    encoding: 'utf8',
  })
    .trim()
    .split('\n');

  it("creates every captured table's topic with the settings Debezium would use", () => {
    const specs = topicSpecs();
    expect(specs.map((s) => s.topic)).toEqual(connector.tables.map((t) => `${connector.topicPrefix}.public.${t}`));
    expect(calls).toHaveLength(specs.length);
    for (const [i, spec] of specs.entries()) {
      const args = calls[i]!.split(' ');
      const value = (flag: string) => args[args.indexOf(flag) + 1];
      expect(value('--topic')).toBe(spec.topic);
      expect(Number(value('--partitions'))).toBe(spec.partitions);
      expect(Number(value('--replication-factor'))).toBe(spec.replicationFactor);
      const configs = args.flatMap((a, j) => (args[j - 1] === '--config' ? [a] : []));
      expect(configs).toEqual(Object.entries(spec.configs).map(([k, v]) => `${k}=${v}`));
      expect(args).toContain('--if-not-exists');
    }
  });

  it("takes the template's topic settings: partitions, replication and the cleanup policy", () => {
    const [first] = topicSpecs(['orders']);
    expect(first).toEqual({
      topic: `${connector.topicPrefix}.public.orders`,
      partitions: Number(connector.template['topic.creation.default.partitions']),
      replicationFactor: Number(connector.template['topic.creation.default.replication.factor']),
      configs: expect.objectContaining({
        'cleanup.policy': connector.template['topic.creation.default.cleanup.policy'],
      }),
    });
  });

  it('runs in compose before lakehouse-sink registers the sink', () => {
    const compose = parseYaml(readFileSync(path.join(ROOT, 'docker-compose.lakehouse.yaml'), 'utf8')) as {
      services: Record<string, Service & { depends_on?: Record<string, { condition: string }> }>;
    };
    const topics = compose.services['lakehouse-topics']!;
    expect(topics.volumes).toContain('./compose/lakehouse/topics.sh:/topics.sh:ro');
    expect(topics.volumes).toContain(
      `./connectors/${path.basename(connectorFile)}:/connectors/${path.basename(connectorFile)}:ro`,
    );
    expect(compose.services['lakehouse-sink']!.depends_on?.['lakehouse-topics']?.condition).toBe(
      'service_completed_successfully',
    );
  });
});

describe("verify --lakehouse's verdict", () => {
  const equal = { table: 'orders', sourceRows: 3, replicaRows: 3, missing: 0, extra: 0, differing: 0, mismatches: [] };
  const read = { table: 'orders', found: true, snapshots: 2, changes: 5 };

  it('fails a table that holds a Kafka record twice, though its current state is equal', () => {
    expect(tableReport(equal, { ...read, duplicateOffsets: 0 }).ok).toBe(true);
    const twice = tableReport(equal, { ...read, duplicateOffsets: 1 });
    expect(twice).toMatchObject({ ok: false, duplicateOffsets: 1, changes: 5, snapshots: 2 });
    const lines = lakehouseLines({ ok: false, catchUpSeconds: 1, commitSeconds: 12, tables: [twice] });
    expect(lines[0]).toBe(
      "caught up in 1.0 s (Debezium and the sink); still different after 12.0 s of the sink's commits",
    );
    expect(lines[1]).toMatch(/^DIFF orders .* offsets written twice 1$/);
    expect(lines.at(-1)).toBe('the lakehouse differs from the source in 1 table(s)');
  });

  it('says "equal" only when it is', () => {
    const ok = tableReport(equal, { ...read, duplicateOffsets: 0 });
    expect(lakehouseLines({ ok: true, catchUpSeconds: 1, commitSeconds: 2, tables: [ok] })[0]).toMatch(
      /; equal 2\.0 s later$/,
    );
  });

  it('names a Kafka record by topic, partition and offset in the sink template and the reader', () => {
    expect(template.transforms!.split(',')).toEqual(['debezium', 'kafka']);
    expect(template['transforms.kafka.type']).toBe('org.apache.iceberg.connect.transforms.KafkaMetadataTransform');
    expect(template['transforms.kafka.nested']).toBe('true');
    expect(readFileSync(path.join(ROOT, 'notebooks/lakehouse.py'), 'utf8')).toContain(
      '_kafka_metadata.topic, _kafka_metadata."partition", coalesce(_kafka_metadata."offset", _cdc."offset")',
    );
  });
});
