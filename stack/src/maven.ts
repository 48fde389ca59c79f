import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError, type Context } from './component.js';
import { ROOT } from './config.js';
import type { Java } from './java.js';
import { runToLog, tail } from './processes.js';

export interface Artifacts {
  /** Folder name under .stack/lib, with the version(s) in it: a new version gets a new folder. */
  dir: string;
  pom: string;
  /** Maven goals and -D properties; `{out}` is replaced by the (temporary) output folder. */
  args: string[];
  /** For the person waiting: what is being downloaded, and roughly how much. */
  what: string;
  /** What the first run says instead of "downloading <what> from Maven Central", for a build. */
  firstRun?: string;
}

/**
 * Resolves a component's artifacts with Maven from Maven Central (through the wrapper, so only a
 * JDK is needed), once, into .stack/lib/<dir>. Downloads are cached in ~/.m2, and every one is
 * checked against its published checksum (-C: strict checksums).
 */
export async function resolveArtifacts(ctx: Context, java: Java, spec: Artifacts): Promise<string> {
  const dir = path.join(ctx.cfg.dirs.lib, spec.dir);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  ctx.say(
    `first run: ${spec.firstRun ?? `downloading ${spec.what} from Maven Central`} (cached in ~/.m2 and ${path.relative(ROOT, dir)})`,
  );
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const logName = `maven-${spec.dir}`;
  const code = await runToLog(ctx.cfg, {
    name: logName,
    command: path.join(ROOT, 'mvnw'),
    args: ['-B', '-q', '-C', '-f', path.join(ROOT, spec.pom), ...spec.args.map((a) => a.replaceAll('{out}', tmp))],
    cwd: ROOT,
    env: { ...process.env, JAVA_HOME: java.home },
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new StackError(
      spec.dir,
      `Maven could not ${spec.firstRun ? 'build' : 'resolve'} ${spec.what} (exit ${code})`,
      `check the network to Maven Central and the versions in .env; full log: ${path.relative(ROOT, path.join(ctx.cfg.dirs.logs, `${logName}.log`))}`,
      tail(ctx.cfg, logName, 15),
    );
  }
  writeFileSync(path.join(tmp, '.complete'), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}
