/**
 * Kafka Connect in distributed mode (one worker) with the Debezium PostgreSQL plugin and
 * Apicurio's Avro converter, configured by compose/connect/connect-distributed.properties.
 */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { service, type Context } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { findJava, type Java } from '../java.js';
import { gcLogOptions } from '../gc-log.js';
import { dockerlessJvmOptions, jvmEnv, jvmOptions, PREFERRED_JAVA } from '../jvm.js';
import { withLibLock } from '../lib-lock.js';
import { resolveArtifacts, type Artifacts } from '../maven.js';
import { httpOk } from '../processes.js';
import { kafkaLib, log4jOption, runKafkaTool } from './kafka.js';
import { icebergPlugin } from './lakehouse.js';
import { registryUrl } from './registry.js';

const NAME = 'connect';

export const connectUrl = (cfg: StackConfig) => `http://127.0.0.1:${cfg.env.CONNECT_PORT}`;

const answers = (cfg: StackConfig) => httpOk(`${connectUrl(cfg)}/connectors`);

export interface ConnectorStatus {
  connector: { state: string };
  tasks: { id: number; state: string }[];
}

/**
 * A connector's status from Connect's REST API: undefined when Connect does not answer, null when
 * the connector is not registered.
 */
export async function connectorStatus(
  cfg: StackConfig,
  name: string,
  timeoutMs = 10_000,
): Promise<ConnectorStatus | null | undefined> {
  const res = await fetch(`${connectUrl(cfg)}/connectors/${name}/status`, {
    signal: AbortSignal.timeout(timeoutMs),
  }).catch(() => null);
  if (!res) return undefined;
  if (res.status === 404) return null;
  // Connect answers 5xx (or 409) while its group rebalances: not a status, so "not answering" yet.
  if (!res.ok) return undefined;
  const body = (await res.json().catch(() => null)) as ConnectorStatus | null;
  return body && typeof body === 'object' && body.connector && Array.isArray(body.tasks) ? body : undefined;
}

/** The connector and every one of its (at least one) tasks RUNNING. */
export const allRunning = (s: ConnectorStatus): boolean =>
  s.tasks.length > 0 && [s.connector.state, ...s.tasks.map((t) => t.state)].every((state) => state === 'RUNNING');

/** The shared worker config plus the lines only this runtime needs (later keys win). */
function writeConfig(cfg: StackConfig, plugins: string[]): string {
  const file = path.join(cfg.dirs.run, 'connect-distributed.properties');
  mkdirSync(cfg.dirs.run, { recursive: true });
  copyFileSync(path.join(ROOT, 'compose', 'connect', 'connect-distributed.properties'), file);
  const registry = `${registryUrl(cfg)}/apis/registry/v2`;
  appendFileSync(
    file,
    [
      '',
      '# --- appended by the dockerless stack (npm run stack) ---',
      `bootstrap.servers=127.0.0.1:${cfg.env.KAFKA_PORT}`,
      `key.converter.apicurio.registry.url=${registry}`,
      `value.converter.apicurio.registry.url=${registry}`,
      `plugin.path=${plugins.join(',')}`,
      `listeners=http://127.0.0.1:${cfg.env.CONNECT_PORT}`,
      `rest.advertised.port=${cfg.env.CONNECT_PORT}`,
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * plugin.discovery=service_load finds plugins by their ServiceLoader manifests instead of scanning
 * every class (10 s of a 13 s start here, and some 200 MB of heap). Apicurio's converter jar has
 * none, so Kafka's own tool writes them once into each plugin folder (a shim jar beside the
 * plugin's jars); Dockerfile.connect runs the same tool.
 */
async function syncManifests(ctx: Context, java: Java, lib: string, plugins: string): Promise<void> {
  const done = path.join(plugins, '.manifests-synced');
  if (existsSync(done)) return;
  ctx.say('writing ServiceLoader manifests into the plugin folders (once, ~10 s)');
  await runKafkaTool(ctx.cfg, NAME, java, lib, "writing the plugins' ServiceLoader manifests", [
    'org.apache.kafka.tools.ConnectPluginPath',
    'sync-manifests',
    '--plugin-path',
    plugins,
  ]);
  writeFileSync(done, `${new Date().toISOString()}\n`);
}

const RESOLVER_MODULE = path.join(ROOT, 'jvm', 'schema-resolver');
/** The jar jvm/schema-resolver's POM builds (its finalName), as Dockerfile.connect copies it too. */
export const RESOLVER_JAR = 'storefront-schema-resolver.jar';

/** The schema resolver's sources (its POM and src/main), hashed: a change builds a new jar. */
function resolverSourcesHash(): string {
  const hash = createHash('sha256');
  const sources = readdirSync(path.join(RESOLVER_MODULE, 'src', 'main'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
  for (const file of [path.join(RESOLVER_MODULE, 'pom.xml'), ...sources].sort()) {
    hash.update(`${path.relative(RESOLVER_MODULE, file)}\n`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

/** How the schema resolver is built (its folder name carries the hash of its sources). */
export const schemaResolverArtifacts = (cfg: StackConfig): Artifacts => ({
  dir: `schema-resolver-${resolverSourcesHash()}`,
  pom: 'jvm/schema-resolver/pom.xml',
  args: [
    'package',
    '-DskipTests',
    '-Dresolver.build.dir={out}',
    `-Dapicurio.converter.version=${cfg.env.APICURIO_CONVERTER_VERSION}`,
  ],
  what: 'the schema resolver (jvm/schema-resolver)',
  firstRun: 'building the schema resolver (jvm/schema-resolver) with Maven',
});

/**
 * Our schema resolver (jvm/schema-resolver; the worker config names it), built by Maven once per
 * version of its sources and put beside the converter's jars, in whose class loader the converter
 * looks for it. Dockerfile.connect builds it the same way.
 */
async function installSchemaResolver(ctx: Context, java: Java, plugins: string): Promise<void> {
  const built = await resolveArtifacts(ctx, java, schemaResolverArtifacts(ctx.cfg));
  const jar = readFileSync(path.join(built, RESOLVER_JAR));
  const target = path.join(plugins, 'apicurio-converter', RESOLVER_JAR);
  if (existsSync(target) && readFileSync(target).equals(jar)) return;
  // Replaced by a rename: a Connect started before keeps the file it opened.
  writeFileSync(`${target}.partial`, jar);
  renameSync(`${target}.partial`, target);
}

/** Debezium's PostgreSQL connector and Apicurio's Avro converter: one folder of plugin.path. */
export const connectPluginArtifacts = (cfg: StackConfig): Artifacts => {
  const { DEBEZIUM_VERSION: debezium, APICURIO_CONVERTER_VERSION: converter } = cfg.env;
  return {
    dir: `connect-plugins-debezium-${debezium}-apicurio-${converter}`,
    pom: 'jvm/connect-plugins/pom.xml',
    args: [
      'dependency:unpack@debezium',
      'dependency:copy-dependencies@apicurio',
      '-Dplugins.dir={out}',
      `-Ddebezium.version=${debezium}`,
      `-Dapicurio.converter.version=${converter}`,
    ],
    what: `the Debezium PostgreSQL connector ${debezium} and Apicurio's Avro converter ${converter} (~30 MB)`,
  };
};

/**
 * Every folder of the worker's plugin.path, resolved, built and given their manifests: what
 * `up` needs before Connect starts, and what `fetch` prepares.
 */
export async function connectPluginPath(ctx: Context): Promise<{ java: Java; lib: string; plugins: string[] }> {
  const java = findJava(17, process.env, 'Kafka Connect', PREFERRED_JAVA);
  const lib = await kafkaLib(ctx);
  const plugins = await resolveArtifacts(ctx, java, connectPluginArtifacts(ctx.cfg));
  // Both write into the plugin folder: one process at a time.
  await withLibLock(ctx, `${plugins}.setup`, async () => {
    await syncManifests(ctx, java, lib, plugins);
    await installSchemaResolver(ctx, java, plugins);
  });
  // The lakehouse layer's sink: its jars carry their ServiceLoader manifests.
  return { java, lib, plugins: [plugins, await icebergPlugin(ctx, java)] };
}

export const connect = service({
  name: NAME,
  portKey: 'CONNECT_PORT',
  other: 'the other Connect worker',
  healthy: answers,
  startTimeoutMs: 120_000,
  stopTimeoutMs: 30_000,
  // Starts as soon as Kafka answers, beside the registry's start (connect-init waits for both).
  after: ['kafka'],

  async prepare(ctx) {
    const { java, lib, plugins } = await connectPluginPath(ctx);
    const config = writeConfig(ctx.cfg, plugins);
    return {
      command: java.bin,
      args: [
        ...jvmOptions.connect,
        ...dockerlessJvmOptions(ctx.cfg, java, 'connect'),
        ...gcLogOptions(ctx.cfg, 'connect'),
        log4jOption,
        '-cp',
        `${lib}/*`,
        'org.apache.kafka.connect.cli.ConnectDistributed',
        config,
      ],
      env: { ...process.env, ...jvmEnv },
    };
  },
});
