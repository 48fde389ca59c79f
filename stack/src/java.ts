import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { StackError } from './component.js';

/** Candidate java binaries: JAVA_HOME, the PATH, and the usual JDK folders. */
function candidates(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  if (env.JAVA_HOME) out.push(path.join(env.JAVA_HOME, 'bin', 'java'));
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir) out.push(path.join(dir, 'java'));
  const roots = [
    '/usr/lib/jvm',
    '/opt/java',
    '/Library/Java/JavaVirtualMachines',
    path.join(env.HOME ?? '/nonexistent', '.sdkman/candidates/java'),
  ];
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const d of readdirSync(root)) {
      out.push(path.join(root, d, 'bin', 'java'), path.join(root, d, 'Contents', 'Home', 'bin', 'java'));
    }
  }
  return [...new Set(out)].filter((p) => existsSync(p));
}

export interface Java {
  bin: string;
  home: string;
  major: number;
}

const majors = new Map<string, number | null>();

/** The Java feature version of a java binary (17, 21, 25), or null when it does not run. */
export function javaMajor(bin: string): number | null {
  if (!majors.has(bin)) {
    // -XshowSettings prints to stderr, whatever the vendor's -version format.
    const res = spawnSync(bin, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
    const m = /java\.specification\.version = (?:1\.)?(\d+)/.exec(`${res.stderr ?? ''}${res.stdout ?? ''}`);
    majors.set(bin, m ? Number(m[1]) : null);
  }
  return majors.get(bin)!;
}

/**
 * The first JDK of at least `prefer` if there is one, else the first of at least `min`: JAVA_HOME
 * first, then PATH, then common install folders.
 */
export function findJava(min: number, env: NodeJS.ProcessEnv, purpose: string, prefer = min): Java {
  const seen: string[] = [];
  const found: Java[] = [];
  for (const bin of candidates(env)) {
    const major = javaMajor(bin);
    seen.push(`${bin} (${major ?? '?'})`);
    if (major !== null && major >= min) found.push({ bin, home: path.resolve(path.dirname(bin), '..'), major });
  }
  const java = found.find((j) => j.major >= prefer) ?? found[0];
  if (java) return java;
  throw new StackError(
    'java',
    `${purpose} needs Java ${min} or newer; found ${seen.length ? seen.join(', ') : 'no java at all'}`,
    `install a JDK ${min}+ (e.g. Temurin ${min}, or your distribution's openjdk-${min}-jdk-headless) and set JAVA_HOME`,
  );
}
