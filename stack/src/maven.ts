import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError, type Context } from './component.js';
import { ROOT } from './config.js';
import type { Java } from './java.js';
import { runToLog, tail } from './processes.js';

/**
 * Resolves a component's jars with Maven (through the wrapper, so only a JDK is needed) from the
 * POM under jvm/, into .stack/lib/<name>-<version>, once. Maven caches downloads in ~/.m2.
 */
export async function resolveJars(
  ctx: Context,
  java: Java,
  spec: { name: string; pom: string; version: string; properties: Record<string, string>; what: string },
): Promise<string> {
  const dir = path.join(ctx.cfg.dirs.lib, `${spec.name}-${spec.version}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  ctx.say(`first run: downloading ${spec.what} from Maven Central (cached in ~/.m2 and ${path.relative(ROOT, dir)})`);
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const logName = `maven-${spec.name}`;
  const code = await runToLog(ctx.cfg, {
    name: logName,
    command: path.join(ROOT, 'mvnw'),
    args: [
      '-B',
      '-q',
      '-f',
      path.join(ROOT, spec.pom),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${tmp}`,
      ...Object.entries(spec.properties).map(([k, v]) => `-D${k}=${v}`),
    ],
    cwd: ROOT,
    env: { ...process.env, JAVA_HOME: java.home },
  });
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new StackError(
      spec.name,
      `Maven could not resolve ${spec.what} (exit ${code})`,
      `check the network to Maven Central and the version in .env; full log: ${path.relative(ROOT, path.join(ctx.cfg.dirs.logs, `${logName}.log`))}`,
      tail(ctx.cfg, logName, 15),
    );
  }
  writeFileSync(path.join(tmp, '.complete'), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}
