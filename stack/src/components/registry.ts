/**
 * Apicurio Registry 3 (a Quarkus fast-jar from Maven Central) with file-backed H2 storage,
 * configured by compose/registry/application.properties. Needs Java 21+.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { service } from '../component.js';
import { ROOT, type StackConfig } from '../config.js';
import { findJava } from '../java.js';
import { gcLogOptions } from '../gc-log.js';
import { dockerlessJvmOptions, jvmEnv, jvmOptions } from '../jvm.js';
import { resolveArtifacts, type Artifacts } from '../maven.js';
import { httpOk } from '../processes.js';

const NAME = 'registry';

export const registryUrl = (cfg: StackConfig) => `http://127.0.0.1:${cfg.env.REGISTRY_PORT}`;
/** The Confluent-compatible API, for any Confluent client. */
export const ccompatUrl = (cfg: StackConfig) => `${registryUrl(cfg)}/apis/ccompat/v7`;

/** The registry's Quarkus distribution, unpacked. */
export const registryArtifacts = (cfg: StackConfig): Artifacts => ({
  dir: `apicurio-registry-${cfg.env.APICURIO_VERSION}`,
  pom: 'jvm/registry/pom.xml',
  args: ['dependency:unpack@registry', '-Dregistry.dir={out}', `-Dapicurio.version=${cfg.env.APICURIO_VERSION}`],
  what: `Apicurio Registry ${cfg.env.APICURIO_VERSION} (~160 MB)`,
});

/** Ready by its own account (management port), and its Confluent-compatible API answers. */
const ready = async (cfg: StackConfig) =>
  (await httpOk(`http://127.0.0.1:${cfg.env.REGISTRY_MANAGEMENT_PORT}/health/ready`)) &&
  (await httpOk(`${ccompatUrl(cfg)}/subjects`));

export const registry = service({
  name: NAME,
  portKey: 'REGISTRY_PORT',
  other: 'the other service',
  healthy: ready,
  startTimeoutMs: 90_000,
  stopTimeoutMs: 30_000,

  async prepare(ctx) {
    const { cfg } = ctx;
    const java = findJava(21, process.env, 'Apicurio Registry 3');
    const dist = await resolveArtifacts(ctx, java, registryArtifacts(cfg));
    const data = path.join(cfg.dirs.data, 'registry');
    mkdirSync(data, { recursive: true });
    return {
      command: java.bin,
      args: [
        ...jvmOptions.registry,
        ...dockerlessJvmOptions(cfg, java, 'registry'),
        ...gcLogOptions(cfg, 'registry'),
        `-Dquarkus.config.locations=${path.join(ROOT, 'compose', 'registry', 'application.properties')}`,
        `-DREGISTRY_DATA_DIR=${data}`,
        `-Dquarkus.http.port=${cfg.env.REGISTRY_PORT}`,
        `-Dquarkus.management.port=${cfg.env.REGISTRY_MANAGEMENT_PORT}`,
        '-jar',
        path.join(dist, 'quarkus-run.jar'),
      ],
      // Its own folder: Quarkus would read a .env in the working directory.
      cwd: data,
      env: { ...process.env, ...jvmEnv },
    };
  },
});
