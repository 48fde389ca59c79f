/**
 * The locks of what the stack downloads: jvm/checksums.sha256 (Maven, checked by Maven Resolver as
 * .mvn/maven.config asks) and the hashed Python locks. Every Maven call of the project goes through
 * it, and every pip install of a lock requires its hashes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackConfig, ROOT } from '../../src/config.js';
import { StackError } from '../../src/component.js';
import {
  diffLocks,
  formatLock,
  JVM_TESTS,
  LOCK_HEADER,
  mavenRuns,
  parseLock,
  pythonLocks,
  readMavenLock,
} from '../../src/downloads.js';
import { LOCK_COMMAND, lockError, lockFailure, MAVEN_LOCK } from '../../src/maven.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const cfg = loadStackConfig({});

// What Maven 3.9.11 printed here, refusing a changed byte and a version with no lock entry.
const MISMATCH =
  '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack (debezium) on project connect-plugins: Unable to find/resolve artifact. The following artifacts could not be resolved: io.debezium:debezium-connector-postgres:tar.gz:plugin:3.7.0.Final (present): Artifact io.debezium:debezium-connector-postgres:tar.gz:plugin:3.7.0.Final trusted checksum mismatch: summaryFile=660673cbabd2f269da21409208ebd0f0d9977bd92e824fc9daa272f240e88e51; calculated=9be927f92361ade4af237cedf7896980889915af5c940632e99db485c72c83a8 -> [Help 1]';
const MISSING =
  '[ERROR] Failed to execute goal org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack (debezium) on project connect-plugins: Unable to find/resolve artifact. Failed to read artifact descriptor for io.debezium:debezium-connector-postgres:tar.gz:plugin:3.6.3.Final: The following artifacts could not be resolved: io.debezium:debezium-connector-postgres:pom:3.6.3.Final (absent): Missing from summaryFile trusted checksum(s) [SHA-256] for artifact io.debezium:debezium-connector-postgres:pom:3.6.3.Final -> [Help 1]';

describe("Maven's refusals, as up reports them", () => {
  it('names the artifact, the expected and the actual hash of a changed one', () => {
    const failure = lockFailure(MISMATCH);
    expect(failure).toEqual({
      kind: 'mismatch',
      artifact: 'io.debezium:debezium-connector-postgres:tar.gz:plugin:3.7.0.Final',
      expected: '660673cbabd2f269da21409208ebd0f0d9977bd92e824fc9daa272f240e88e51',
      actual: '9be927f92361ade4af237cedf7896980889915af5c940632e99db485c72c83a8',
    });
    const err = lockError('connect-plugins', failure!);
    expect(err).toBeInstanceOf(StackError);
    expect(err.message).toContain('io.debezium:debezium-connector-postgres:tar.gz:plugin:3.7.0.Final');
    expect(err.message).toContain('expected SHA-256 660673cb');
    expect(err.message).toContain('got 9be927f9');
  });

  it('says which command to run for an artifact with no lock entry', () => {
    const failure = lockFailure(MISSING);
    expect(failure).toEqual({ kind: 'missing', artifact: 'io.debezium:debezium-connector-postgres:pom:3.6.3.Final' });
    const err = lockError('connect-plugins', failure!);
    expect(err.message).toContain('has no entry in jvm/checksums.sha256');
    expect(err.hint).toContain(LOCK_COMMAND);
  });

  it('leaves any other Maven failure to the generic message', () => {
    expect(lockFailure('[ERROR] Could not transfer artifact x:y:jar:1 from/to central: Connection refused')).toBeNull();
  });
});

describe('jvm/checksums.sha256', () => {
  it('is what .mvn/maven.config checks every artifact against, SHA-256, failing when one is missing', () => {
    const config = read('.mvn/maven.config').split('\n');
    expect(config).toEqual(
      expect.arrayContaining([
        '-Daether.trustedChecksumsSource.summaryFile=true',
        '-Daether.trustedChecksumsSource.summaryFile.basedir=${session.rootDirectory}/jvm',
        '-Daether.trustedChecksumsSource.summaryFile.originAware=false',
        '-Daether.artifactResolver.postProcessor.trustedChecksums=true',
        '-Daether.artifactResolver.postProcessor.trustedChecksums.checksumAlgorithms=SHA-256',
        '-Daether.artifactResolver.postProcessor.trustedChecksums.failIfMissing=true',
      ]),
    );
    // The summary file's name: checksums.<algorithm's extension>, in that folder.
    expect(path.relative(ROOT, MAVEN_LOCK)).toBe('jvm/checksums.sha256');
  });

  it('is in the form lock writes: the header, then sorted lines', () => {
    const text = read('jvm/checksums.sha256');
    expect(text.startsWith(LOCK_HEADER.join('\n'))).toBe(true);
    expect(formatLock(parseLock(text))).toBe(text);
  });

  it(".env's versions each have their artifact in it", () => {
    const lock = readMavenLock();
    const e = cfg.env;
    for (const artifact of [
      `io/debezium/debezium-connector-postgres/${e.DEBEZIUM_VERSION}/debezium-connector-postgres-${e.DEBEZIUM_VERSION}-plugin.tar.gz`,
      `org/apache/kafka/connect-runtime/${e.KAFKA_VERSION}/connect-runtime-${e.KAFKA_VERSION}.jar`,
      `io/apicurio/apicurio-registry-app/${e.APICURIO_VERSION}/apicurio-registry-app-${e.APICURIO_VERSION}-all.tar.gz`,
      `io/apicurio/apicurio-registry-utils-converter/${e.APICURIO_CONVERTER_VERSION}/apicurio-registry-utils-converter-${e.APICURIO_CONVERTER_VERSION}.jar`,
      `org/flywaydb/flyway-core/${e.FLYWAY_VERSION}/flyway-core-${e.FLYWAY_VERSION}.jar`,
      `org/apache/iceberg/iceberg-kafka-connect/${e.ICEBERG_VERSION}/iceberg-kafka-connect-${e.ICEBERG_VERSION}.jar`,
    ])
      expect(lock.get(artifact), artifact).toMatch(/^[0-9a-f]{64}$/);
  });

  it('diffs as lock reports it', () => {
    const before = new Map([
      ['a.jar', '1'.repeat(64)],
      ['b.jar', '2'.repeat(64)],
    ]);
    const after = new Map([
      ['b.jar', '3'.repeat(64)],
      ['c.jar', '4'.repeat(64)],
    ]);
    expect(diffLocks(before, after)).toEqual({ added: ['c.jar'], removed: ['a.jar'], changed: ['b.jar'] });
    expect(() => parseLock('not a hash  x.jar')).toThrow(/not a lock line/);
  });
});

describe('every Maven call of the project', () => {
  it('runs without strict transport checksums (-C), which a mirror without .sha1 files fails', () => {
    const calls = [read('package.json'), read('Dockerfile.connect'), read('stack/src/maven.ts'), read('.ci/run')];
    for (const text of calls) expect(text).not.toMatch(/mvnw? [^\n]*\s-C\s/);
  });

  it("includes npm run test:jvm's, so its plugins and JUnit are in the lock", () => {
    const script = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['test:jvm'];
    expect(script).toBe(`./mvnw -B -q -f ${JVM_TESTS.pom} ${JVM_TESTS.args.join(' ')}`);
    expect(mavenRuns(cfg)).toContain(JVM_TESTS);
  });

  it("in Dockerfile.connect reads the same lock and config, at the repository's paths", () => {
    const docker = read('Dockerfile.connect');
    expect(docker).toContain('COPY .mvn/maven.config .mvn/maven.config');
    expect(docker).toContain('COPY jvm/checksums.sha256 jvm/checksums.sha256');
    for (const pom of [...docker.matchAll(/mvn -B -q -f (\S+)/g)].map((m) => m[1]!)) {
      expect(mavenRuns(cfg).map((r) => r.pom)).toContain(pom);
      expect(docker).toContain(`COPY ${path.dirname(pom)}`);
    }
    const ignore = read('.dockerignore').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['!.mvn/maven.config', '!jvm/checksums.sha256']));
  });
});

/** `name==version` of each requirement line of a requirements file (extras dropped). */
function pins(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)/gm))
    out.set(m[1]!.toLowerCase().replace(/[_.]+/g, '-'), m[2]!);
  return out;
}

describe('the Python locks', () => {
  it.each(pythonLocks.map((l) => [l.output, l.input] as const))(
    '%s pins every package of %s at its version, each with SHA-256 hashes',
    (output, input) => {
      const lock = read(output);
      const locked = pins(lock);
      for (const [name, version] of pins(read(input))) expect(locked.get(name), name).toBe(version);
      // Every requirement in hash-checking form: `name==version [; marker] \` then its hashes (a
      // package may appear twice, for two ranges of Python versions).
      const requirements = lock.split('\n').filter((l) => /^[A-Za-z0-9]/.test(l));
      expect(requirements.length).toBeGreaterThanOrEqual(locked.size);
      for (const line of requirements) expect(line, line).toMatch(/^[\w.[\],-]+==[^\s;]+( ; [^\\]+)? \\$/);
      expect(lock.match(/--hash=sha256:[0-9a-f]{64}/g)!.length).toBeGreaterThanOrEqual(requirements.length);
    },
  );

  it("the notebooks' lock takes the lakehouse lock's versions", () => {
    const notebooks = pins(read('notebooks/requirements.txt'));
    for (const [name, version] of pins(read('notebooks/requirements-lakehouse.txt')))
      expect(notebooks.get(name), name).toBe(version);
  });

  it('are installed with --require-hashes wherever they are installed', () => {
    expect(read('stack/src/python.ts')).toContain("'--require-hashes'");
    const ci = read('.ci/run');
    for (const file of ['requirements-dev.txt', 'notebooks/requirements.txt'])
      expect(ci).toMatch(new RegExp(`pip install [^\\n]*--require-hashes [^\\n]*-r ${file.replace('.', '\\.')}`));
  });
});
