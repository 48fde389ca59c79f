/**
 * Kafka Connect in distributed mode (one worker) with the Debezium PostgreSQL plugin and
 * Apicurio's Avro converter, configured by compose/connect/connect-distributed.properties.
 */
import { appendFileSync, copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { service } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { findJava } from '../java.js';
import { jvmEnv, jvmOptions } from '../jvm.js';
import { resolveArtifacts } from '../maven.js';
import { httpOk } from '../processes.js';
import { kafkaLib, log4jOption } from './kafka.js';
import { registryUrl } from './registry.js';

const NAME = 'connect';

export const connectUrl = (cfg: StackConfig) => `http://127.0.0.1:${cfg.env.CONNECT_PORT}`;

const answers = (cfg: StackConfig) => httpOk(`${connectUrl(cfg)}/connectors`);

/** The shared worker config plus the lines only this runtime needs (later keys win). */
function writeConfig(cfg: StackConfig, plugins: string): string {
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
      `plugin.path=${plugins}`,
      `listeners=http://127.0.0.1:${cfg.env.CONNECT_PORT}`,
      `rest.advertised.port=${cfg.env.CONNECT_PORT}`,
      '',
    ].join('\n'),
  );
  return file;
}

export const connect = service({
  name: NAME,
  portKey: 'CONNECT_PORT',
  other: 'the other Connect worker',
  healthy: answers,
  startTimeoutMs: 120_000,
  stopTimeoutMs: 30_000,

  async prepare(ctx) {
    const { cfg } = ctx;
    const java = findJava(17, process.env, 'Kafka Connect');
    const lib = await kafkaLib(ctx);
    const { DEBEZIUM_VERSION: debezium, APICURIO_CONVERTER_VERSION: converter } = cfg.env;
    const plugins = await resolveArtifacts(ctx, java, {
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
    });
    const config = writeConfig(cfg, plugins);
    return {
      command: java.bin,
      args: [
        ...jvmOptions.connect,
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
