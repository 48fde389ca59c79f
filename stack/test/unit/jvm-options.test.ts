import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StackConfig } from '../../src/config.js';
import { dockerlessJvmOptions } from '../../src/jvm.js';

const home = mkdtempSync(path.join(tmpdir(), 'jvm-options-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const cfg = { dirs: { logs: path.join(home, 'logs'), lib: path.join(home, 'lib') } } as StackConfig;
const java = (major: number) => ({ bin: 'java', home: '/jdk', major });

describe('dockerlessJvmOptions', () => {
  it("sends a crash's report to the stack's logs, not the working directory, on every JDK", () => {
    for (const major of [17, 25])
      expect(dockerlessJvmOptions(cfg, java(major), 'connect')).toContain(
        `-XX:ErrorFile=${path.join(home, 'logs', 'connect-hs_err_pid%p.log')}`,
      );
  });

  it('keeps a class-data sharing archive per JVM and JDK from JDK 19 on', () => {
    expect(dockerlessJvmOptions(cfg, java(25), 'kafka')).toEqual(
      expect.arrayContaining([
        '-XX:+AutoCreateSharedArchive',
        `-XX:SharedArchiveFile=${path.join(home, 'lib', 'cds', 'kafka-jdk25.jsa')}`,
      ]),
    );
    expect(dockerlessJvmOptions(cfg, java(17), 'kafka').some((o) => o.includes('SharedArchive'))).toBe(false);
  });
});
