/**
 * The `docker` test backend (see backend.ts): the images and files users run, through
 * testcontainers. Imported only when that backend is chosen.
 *
 * Everything is reached through published ports on 127.0.0.1, as the compose files publish them,
 * so the container runtime must run on this machine (a remote DOCKER_HOST cannot work).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import {
  DockerComposeEnvironment,
  GenericContainer,
  Network,
  Wait,
  type StartedDockerComposeEnvironment,
  type StartedNetwork,
} from 'testcontainers';
import { flywayEnv } from '../../src/components/flyway.js';
import { ROOT, type StackConfig } from '../../src/config.js';

/** The database's name on the test network, as on the compose network. */
const PG_ALIAS = 'postgres';

function requireLocalHost(host: string): void {
  if (!['localhost', '127.0.0.1', '::1'].includes(host))
    throw new Error(
      `the container runtime publishes ports on ${host}, but the tests reach them on 127.0.0.1: ` +
        'run the docker backend against a local Docker, or use STOREFRONT_TEST_BACKEND=local',
    );
}

export interface DockerPostgres {
  port: number;
  network: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL as docker-compose.source.yaml runs it: the image tag from .env, our server config
 * (compose/postgresql.custom.conf) and init SQL (postgres-init/), the same shared memory.
 */
export async function startPostgres(cfg: StackConfig): Promise<DockerPostgres> {
  const e = cfg.env;
  const network: StartedNetwork = await new Network().start();
  const container: StartedPostgreSqlContainer = await new PostgreSqlContainer(`postgres:${e.POSTGRES_VERSION}`)
    .withNetwork(network)
    .withNetworkAliases(PG_ALIAS)
    .withUsername(e.PG_USER)
    .withPassword(e.PG_PASSWORD)
    .withDatabase(e.PG_USER) // as compose: no POSTGRES_DB, so the image uses the user's name
    .withCopyFilesToContainer([
      { source: path.join(ROOT, 'compose', 'postgresql.custom.conf'), target: '/etc/postgresql/postgresql.conf' },
    ])
    .withCopyDirectoriesToContainer([
      { source: path.join(ROOT, 'postgres-init'), target: '/docker-entrypoint-initdb.d' },
    ])
    .withCommand(['postgres', '-c', 'config_file=/etc/postgresql/postgresql.conf'])
    .withSharedMemorySize(256 * 1024 * 1024)
    // As the compose healthcheck: over TCP, so init (socket only) is over, and on the storefront db.
    .withHealthCheck({
      test: ['CMD-SHELL', `pg_isready -h 127.0.0.1 -U ${e.PG_USER} -d ${e.PG_DATABASE}`],
      interval: 500,
      timeout: 3_000,
      retries: 240,
    })
    .start();
  requireLocalHost(container.getHost());
  return {
    port: container.getPort(),
    network: network.getName(),
    async stop() {
      await container.stop();
      await network.stop();
    },
  };
}

/** `flyway migrate` on `database` by the flyway image, with the compose service's settings. */
export async function migrateWithFlywayImage(cfg: StackConfig, network: string, database: string): Promise<void> {
  const output: string[] = [];
  try {
    const flyway = await new GenericContainer(`flyway/flyway:${cfg.env.FLYWAY_VERSION}`)
      .withNetworkMode(network)
      .withEnvironment({
        ...flywayEnv(cfg, database),
        FLYWAY_URL: `jdbc:postgresql://${PG_ALIAS}:5432/${database}`,
        FLYWAY_LOCATIONS: 'filesystem:/flyway/sql',
      })
      .withCopyDirectoriesToContainer([{ source: path.join(ROOT, 'migrations'), target: '/flyway/sql' }])
      .withCommand(['-skipCheckForUpdate', 'migrate'])
      .withLogConsumer((stream) => stream.on('data', (line: Buffer | string) => output.push(String(line))))
      .withWaitStrategy(Wait.forOneShotStartup())
      .withStartupTimeout(180_000)
      .start();
    await flyway.stop(); // it has exited: this removes it
  } catch (err) {
    throw new Error(`flyway image: migrate on ${database} failed (${(err as Error).message})\n${output.join('')}`, {
      cause: err,
    });
  }
}

/** The host ports a compose test environment publishes: free ones, never the playground's. */
export const composePorts = [
  'PG_PORT',
  'SEEDER_PORT',
  'KAFKA_PORT',
  'REGISTRY_PORT',
  'CONNECT_PORT',
  'AKHQ_PORT',
  'VIEW_PORT',
];

export interface ComposeStack {
  /** Restarts one service's container, as `docker compose restart <service>` would. */
  restart(service: 'registry' | 'connect'): Promise<void>;
  /** Stops one service's container and keeps it, as `docker compose stop <service>` would. */
  stop(service: 'registry' | 'connect'): Promise<void>;
  down(): Promise<void>;
}

/**
 * The project's own three compose files, started as a user starts them (source first: it creates
 * the shared network), each its own project, with .env and the test's ports and network name.
 */
export async function upCompose(env: Record<string, string>): Promise<ComposeStack> {
  const id = randomBytes(4).toString('hex');
  const network = `storefront-test-${id}`;
  // The warehouse at an absolute path of its own (Connect's mount and the host's reader see it there).
  const warehouse = path.join(ROOT, '.stack', `e2e-compose-lakehouse-${id}`);
  const environment = { ...env, STOREFRONT_NETWORK: network, LAKEHOUSE_WAREHOUSE: warehouse };
  const layer = (file: string) =>
    new DockerComposeEnvironment(ROOT, file)
      .withEnvironmentFile('.env')
      .withEnvironment(environment)
      .withBuild()
      .withStartupTimeout(600_000);
  const started: StartedDockerComposeEnvironment[] = [];
  try {
    started.push(
      await layer('docker-compose.source.yaml')
        .withWaitStrategy('postgres-1', Wait.forHealthCheck())
        .withWaitStrategy('seeder-1', Wait.forHealthCheck())
        .up(),
    );
    started.push(
      await layer('docker-compose.streaming.yaml')
        // `up` returns once connect-init ran (akhq waits for it), so every service is up.
        .withClientOptions({ commandOptions: ['--wait', '--wait-timeout', '600'] })
        .withDefaultWaitStrategy(Wait.forHealthCheck())
        .up(),
    );
    started.push(
      await layer('docker-compose.lakehouse.yaml')
        // Returns once lakehouse-sink is healthy: the sink and its task RUNNING.
        .withClientOptions({ commandOptions: ['--wait', '--wait-timeout', '300'] })
        .withWaitStrategy('lakehouse-sink-1', Wait.forHealthCheck())
        .up(),
    );
  } catch (err) {
    for (const s of started.reverse()) await s.down({ removeVolumes: true }).catch(() => undefined);
    throw err;
  }
  const [source, streaming, lakehouse] = started as [
    StartedDockerComposeEnvironment,
    StartedDockerComposeEnvironment,
    StartedDockerComposeEnvironment,
  ];
  return {
    async restart(service) {
      // Starts a stopped container too (Docker's restart does).
      await streaming.getContainer(`${service}-1`).restart();
    },
    async stop(service) {
      await streaming.getContainer(`${service}-1`).stop({ remove: false });
    },
    async down() {
      await lakehouse.down({ removeVolumes: true });
      await streaming.down({ removeVolumes: true });
      await source.down({ removeVolumes: true });
    },
  };
}
