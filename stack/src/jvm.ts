/**
 * Heap and GC settings of the stack's long-running JVMs, read from compose/jvm/<name>.env: the
 * very files the compose services take as env_file, so the dockerless stack and compose cannot
 * disagree. Each file uses its image's own variable names; this module turns them into the java
 * command line the image's start script would build from them.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { ROOT, type StackConfig } from './config.js';
import type { Java } from './java.js';

export type JvmService = 'kafka' | 'connect' | 'registry';

/** Per service, the variables that carry its options, in the order its start script uses them. */
const variables = {
  // apache/kafka: bin/kafka-run-class.sh
  kafka: ['KAFKA_HEAP_OPTS', 'KAFKA_JVM_PERFORMANCE_OPTS'],
  connect: ['KAFKA_HEAP_OPTS', 'KAFKA_JVM_PERFORMANCE_OPTS'],
  // apicurio/apicurio-registry: run-java.sh of the ubi openjdk base
  registry: ['GC_CONTAINER_OPTIONS', 'JAVA_OPTS_APPEND'],
} as const satisfies Record<JvmService, readonly string[]>;

export const jvmEnvFile = (service: JvmService) => path.join(ROOT, 'compose', 'jvm', `${service}.env`);

/** The java options of one service, from its env file; a missing variable is an error naming it. */
export function readJvmOptions(service: JvmService, file = jvmEnvFile(service)): string[] {
  const values = parse(readFileSync(file));
  return variables[service].flatMap((name) => {
    const value = values[name]?.trim();
    if (!value) throw new Error(`${path.relative(ROOT, file)}: ${name} is not set`);
    return value.split(/\s+/);
  });
}

export const jvmOptions = {
  kafka: readJvmOptions('kafka'),
  registry: readJvmOptions('registry'),
  connect: readJvmOptions('connect'),
  /** Short-lived tools (Flyway, storage format): start fast, exit. Dockerless only. */
  tool: ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss512k'],
};

/** glibc keeps one malloc arena per core and thread group; two are enough and save RSS. */
export const jvmEnv = { MALLOC_ARENA_MAX: '2' };

/**
 * The JDK the stack prefers for its JVMs when it is installed: 19+ writes a class-data sharing
 * archive by itself (below). Any 17+ runs them, only slower to start.
 */
export const PREFERRED_JAVA = 21;

/**
 * The options of a dockerless JVM beside its service's (the images set their own):
 *
 * - Class-data sharing. From JDK 19, -XX:+AutoCreateSharedArchive writes an archive of the classes
 *   a JVM loaded when it exits, and the next start maps it instead of parsing and verifying those
 *   classes again; an archive that no longer matches the JDK or the classpath is written anew.
 *   Kept beside the jars (STACK_LIB), per JVM and JDK, so every stack home (the tests', the
 *   bench's) starts warm.
 * - A crash's report (<name>-hs_err_pid<pid>.log) in the stack's logs directory, beside the JVM's
 *   own log, instead of its working directory, the project's root: there, Temurin 25.0.3's Connect
 *   left one each time it crashed writing its archive at exit (a SIGSEGV in
 *   DynamicArchiveBuilder::sort_methods; at the end of three bench runs of 16 minutes, not after
 *   a short `up` and `down`).
 */
export function dockerlessJvmOptions(cfg: StackConfig, java: Java, name: string): string[] {
  const errorFile = `-XX:ErrorFile=${path.join(cfg.dirs.logs, `${name}-hs_err_pid%p.log`)}`;
  if (java.major < 19) return [errorFile];
  const dir = path.join(cfg.dirs.lib, 'cds');
  mkdirSync(dir, { recursive: true });
  return [
    errorFile,
    '-XX:+AutoCreateSharedArchive',
    `-XX:SharedArchiveFile=${path.join(dir, `${name}-jdk${java.major}.jsa`)}`,
  ];
}
