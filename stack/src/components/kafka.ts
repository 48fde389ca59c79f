/**
 * One Kafka broker in KRaft combined mode (broker + controller, no ZooKeeper), from the
 * org.apache.kafka jars on Maven Central, configured by compose/kafka/server.properties.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { service, StackError, type Context } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { findJava, type Java } from '../java.js';
import { gcLogOptions } from '../gc-log.js';
import { dockerlessJvmOptions, jvmEnv, jvmOptions, PREFERRED_JAVA } from '../jvm.js';
import { resolveArtifacts, type Artifacts } from '../maven.js';
import { portOpen, runToLog, tail } from '../processes.js';

const NAME = 'kafka';

export const kafkaArtifacts = (cfg: StackConfig): Artifacts => ({
  dir: `kafka-${cfg.env.KAFKA_VERSION}`,
  pom: 'jvm/kafka/pom.xml',
  args: ['dependency:copy-dependencies', '-DoutputDirectory={out}', `-Dkafka.version=${cfg.env.KAFKA_VERSION}`],
  what: `Apache Kafka ${cfg.env.KAFKA_VERSION} (broker and Connect, ~60 MB)`,
});

export const kafkaLib = (ctx: Context) =>
  resolveArtifacts(ctx, findJava(17, process.env, 'Kafka'), kafkaArtifacts(ctx.cfg));

export const brokers = (cfg: StackConfig) => [`127.0.0.1:${cfg.env.KAFKA_PORT}`];

export const log4jOption = `-Dlog4j2.configurationFile=${path.join(ROOT, 'stack', 'config', 'log4j2.properties')}`;

/** The shared file plus the lines only this runtime needs (later keys win in .properties). */
function writeConfig(cfg: StackConfig): string {
  const file = path.join(cfg.dirs.run, 'kafka-server.properties');
  mkdirSync(cfg.dirs.run, { recursive: true });
  copyFileSync(path.join(ROOT, 'compose', 'kafka', 'server.properties'), file);
  const { KAFKA_PORT: port, KAFKA_CONTROLLER_PORT: controller } = cfg.env;
  appendFileSync(
    file,
    [
      '',
      '# --- appended by the dockerless stack (npm run stack) ---',
      `log.dirs=${path.join(cfg.dirs.data, 'kafka')}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      `controller.quorum.voters=1@127.0.0.1:${controller}`,
      '',
    ].join('\n'),
  );
  return file;
}

async function answers(cfg: StackConfig): Promise<boolean> {
  if (!(await portOpen(cfg.env.KAFKA_PORT))) return false;
  const admin = new Kafka({
    brokers: brokers(cfg),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1_000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Runs one of Kafka's command-line tools (a main class in Kafka's jars) to `component`'s log, and
 * fails saying what it was doing, with the end of that log.
 */
export async function runKafkaTool(
  cfg: StackConfig,
  component: string,
  java: Java,
  lib: string,
  what: string,
  [mainClass, ...args]: [string, ...string[]],
): Promise<void> {
  const code = await runToLog(cfg, {
    name: component,
    command: java.bin,
    args: [
      ...jvmOptions.tool,
      ...dockerlessJvmOptions(cfg, java, `kafka-${mainClass.split('.').pop()}`),
      log4jOption,
      '-cp',
      `${lib}/*`,
      mainClass,
      ...args,
    ],
    env: { ...process.env, ...jvmEnv },
  });
  if (code !== 0)
    throw new StackError(
      component,
      `${what} failed (exit ${code})`,
      `npm run stack -- logs ${component}`,
      tail(cfg, component),
    );
}

/**
 * A random cluster id as Kafka's Uuid.randomUuid() makes one: 16 bytes in URL-safe base64, never
 * starting with "-" (the storage tool would take it for an option: one id in 64 failed so).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export const kafka = service({
  name: NAME,
  portKey: 'KAFKA_PORT',
  other: 'the other Kafka',
  healthy: answers,
  startTimeoutMs: 90_000,
  stopTimeoutMs: 30_000,

  async prepare(ctx) {
    const { cfg } = ctx;
    const java = findJava(17, process.env, 'Kafka', PREFERRED_JAVA);
    const lib = await kafkaLib(ctx);
    const config = writeConfig(cfg);
    const classpath = `${lib}/*`;
    if (!existsSync(path.join(cfg.dirs.data, 'kafka', 'meta.properties'))) {
      // A new cluster: format the storage once with a fresh cluster id (as the image does).
      await runKafkaTool(cfg, NAME, java, lib, 'formatting the storage', [
        'kafka.tools.StorageTool',
        'format',
        '-t',
        newClusterId(),
        '-c',
        config,
      ]);
    }
    return {
      command: java.bin,
      args: [
        ...jvmOptions.kafka,
        ...dockerlessJvmOptions(cfg, java, 'kafka'),
        ...gcLogOptions(cfg, 'kafka'),
        log4jOption,
        '-cp',
        classpath,
        'kafka.Kafka',
        config,
      ],
      env: { ...process.env, ...jvmEnv },
    };
  },
});
