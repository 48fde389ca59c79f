/**
 * jvm/checksums.sha256 against real Maven. A mirror (file://, built from the Maven repository this
 * run already filled) serves the stack's artifacts to an empty local repository: with one byte of
 * one artifact changed, the resolution is refused with the artifact, the expected and the actual
 * hash, and nothing lands in .stack/lib; with the artifact's lock entry gone, the error says which
 * command to run. And the lock is exactly what Maven resolves for the stack (lock --check).
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackError, type Context } from '../../src/component.js';
import { loadStackConfig, ROOT } from '../../src/config.js';
import { defaultMavenRepo, diffLines, formatLock, lock, readMavenLock } from '../../src/downloads.js';
import { findJava } from '../../src/java.js';
import { MAVEN_LOCK, resolveArtifacts } from '../../src/maven.js';
import { flywayArtifacts } from '../../src/components/flyway.js';

const scratch = path.join(ROOT, '.stack', 'test-downloads');
const lib = path.join(scratch, 'lib');
const mirror = path.join(scratch, 'mirror');
const cfg = loadStackConfig({ STACK_HOME: path.join(scratch, 'home'), STACK_LIB: lib });
const ctx: Context = { cfg, say: () => undefined };
const java = findJava(17, process.env, 'Maven');
const spec = flywayArtifacts(cfg);
const version = cfg.env.FLYWAY_VERSION;
const coords = `org.flywaydb:flyway-core:jar:${version}`;
const jar = `org/flywaydb/flyway-core/${version}/flyway-core-${version}.jar`;
const saved = { MAVEN_OPTS: process.env.MAVEN_OPTS, MAVEN_ARGS: process.env.MAVEN_ARGS };

/** Runs `fn` with Maven resolving from the mirror into an empty local repository. */
async function fromMirror<T>(fn: () => Promise<T>, extraArgs: string[] = []): Promise<T> {
  const repo = mkdtempSync(path.join(scratch, 'm2-'));
  process.env.MAVEN_OPTS = `-Dmaven.repo.local=${repo}`;
  process.env.MAVEN_ARGS = ['-s', path.join(scratch, 'settings.xml'), ...extraArgs].join(' ');
  try {
    return await fn();
  } finally {
    process.env.MAVEN_OPTS = saved.MAVEN_OPTS;
    process.env.MAVEN_ARGS = saved.MAVEN_ARGS;
    if (saved.MAVEN_OPTS === undefined) delete process.env.MAVEN_OPTS;
    if (saved.MAVEN_ARGS === undefined) delete process.env.MAVEN_ARGS;
    rmSync(repo, { recursive: true, force: true });
  }
}

/** The tree of `from` with a symbolic link for every file: a mirror that costs no copy. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) linkTree(source, path.join(to, entry.name));
    else symlinkSync(source, path.join(to, entry.name));
  }
}

const nothingInLib = () => (existsSync(lib) ? readdirSync(lib) : []);

beforeAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  // The Maven repository a plain mvnw uses holds Flyway's set once the stack has resolved it.
  await resolveArtifacts(
    { ...ctx, cfg: loadStackConfig({ STACK_HOME: cfg.home, STACK_LIB: path.join(scratch, 'warm') }) },
    java,
    spec,
  );
  // A mirror of it: symbolic links to its files, but for the one we change.
  linkTree(defaultMavenRepo(), mirror);
  writeFileSync(
    path.join(scratch, 'settings.xml'),
    `<settings><mirrors><mirror><id>central</id><mirrorOf>*</mirrorOf><url>file://${mirror}</url></mirror></mirrors></settings>\n`,
  );
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('an artifact Maven downloads for the stack', () => {
  it('is refused when one byte of it changed, naming it with the expected and the actual hash', async () => {
    const original = readFileSync(path.join(mirror, jar));
    const changed = Buffer.from(original);
    const middle = changed.length >> 1;
    changed[middle] = changed[middle]! ^ 0x01;
    // A file of its own in place of the link, so the repository it mirrors stays as it is.
    unlinkSync(path.join(mirror, jar));
    writeFileSync(path.join(mirror, jar), changed);
    const actual = createHash('sha256').update(changed).digest('hex');
    const expected = readMavenLock().get(jar)!;
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    try {
      const err = await fromMirror(() => resolveArtifacts(ctx, java, spec)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StackError);
      const { message, hint } = err as StackError;
      expect(message).toBe(
        `${coords} does not match jvm/checksums.sha256: expected SHA-256 ${expected}, got ${actual}; nothing was unpacked or run`,
      );
      expect(hint).toContain('npm run stack -- lock');
      expect(nothingInLib()).toEqual([]);
    } finally {
      writeFileSync(path.join(mirror, jar), original);
    }
  }, 180_000);

  it('with no entry in the lock is reported with the command that adds it', async () => {
    const lockDir = path.join(scratch, 'lock');
    mkdirSync(lockDir, { recursive: true });
    const partial = readMavenLock();
    partial.delete(jar);
    writeFileSync(path.join(lockDir, path.basename(MAVEN_LOCK)), formatLock(partial));
    const err = await fromMirror(
      () =>
        resolveArtifacts(ctx, java, spec).then(
          () => null,
          (e: unknown) => e,
        ),
      [`-Daether.trustedChecksumsSource.summaryFile.basedir=${lockDir}`],
    );
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).message).toBe(
      `${coords} has no entry in jvm/checksums.sha256, so it cannot be verified`,
    );
    expect((err as StackError).hint).toMatch(/run npm run stack -- lock, review the diff of jvm\/checksums\.sha256/);
    expect(nothingInLib()).toEqual([]);
  }, 180_000);

  it('passes from the same mirror when it is as locked', async () => {
    const dir = await fromMirror(() => resolveArtifacts(ctx, java, spec));
    expect(readdirSync(dir)).toContain(`flyway-core-${version}.jar`);
  }, 180_000);
});

describe('two runs that need the same download at once', () => {
  it('build it once: the second waits for the first and takes its result', async () => {
    const said: string[] = [];
    const shared = path.join(scratch, 'shared-lib');
    const twin = (): Context => ({
      cfg: loadStackConfig({ STACK_HOME: cfg.home, STACK_LIB: shared }),
      say: (m) => said.push(m),
    });
    const [a, b] = await Promise.all([resolveArtifacts(twin(), java, spec), resolveArtifacts(twin(), java, spec)]);
    expect(a).toBe(b);
    expect(readdirSync(a)).toContain(`flyway-core-${version}.jar`);
    expect(said.filter((m) => m.startsWith('first run:'))).toHaveLength(1);
    expect(said.filter((m) => m.startsWith('waiting for another process of this stack'))).toHaveLength(1);
    expect(readdirSync(shared).filter((f) => f.endsWith('.partial'))).toEqual([]);
  }, 180_000);
});

describe('jvm/checksums.sha256', () => {
  it('holds exactly what Maven resolves for the stack, its image and the JVM tests (lock --check)', async () => {
    const diff = await lock(ctx, { check: true });
    expect(diffLines(diff)).toEqual([]);
  }, 300_000);
});
