/** The CLI's own contract: its usage lists every command; expected failures read as advice, not traces. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/config.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'stack/src/cli.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

/** A stack trace line, as "unexpected error" prints them. */
const traceLine = /\n\s+at /;

describe('npm run stack -- ...', () => {
  it('lists every command it knows, and the events options, in its usage', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    const source = readFileSync(path.join(ROOT, 'stack/src/cli.ts'), 'utf8');
    const commands = [...source.matchAll(/case '([\w-]+)':/g)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['up', 'events', 'subjects', 'reset-cdc']));
    for (const command of commands) expect(stdout, command).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(stdout).toContain('--from-beginning');
    expect(stdout).toContain('-n N');
  });

  it.each([
    ['logs', 'seeder', '-n', 'abc'],
    ['logs', 'seeder', '-n', '0'],
    ['events', 'orders', '-n', '2.5'],
  ])('refuses %s %s %s %s: a count must be a whole number', async (...args) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(1);
    expect(stderr).toContain(`-n takes a whole number of 1 or more, not "${args[3]}"`);
    expect(stderr).not.toMatch(traceLine);
  });

  it('names the scenarios there are for one that is not, from the same list its usage shows', async () => {
    const { code, stderr } = await cli(['scenario', 'schema-evoluton']);
    expect(code).toBe(1);
    expect(stderr).toContain('scenario needs one of: schema-evolution, not "schema-evoluton"');
    const source = readFileSync(path.join(ROOT, 'stack/src/cli.ts'), 'utf8');
    expect(source).not.toContain("'schema-evolution'");
  });

  it('cites no file that is not in the project in its lint config', () => {
    const config = readFileSync(path.join(ROOT, 'eslint.config.js'), 'utf8');
    for (const [file] of config.matchAll(/\b[\w./-]+\.(?:md|ts|js)\b/g))
      expect(existsSync(path.join(ROOT, file)), file).toBe(true);
  });

  it('names a mistyped table and the tables there are, without a stack trace', async () => {
    const { code, stderr } = await cli(['events', 'custmers']);
    expect(code).toBe(1);
    expect(stderr).toContain('unknown table "custmers"');
    expect(stderr).toContain('one of: customers, addresses');
    expect(stderr).not.toContain('unexpected error');
    expect(stderr).not.toMatch(traceLine);
  });

  it('says Kafka is unreachable, and what to check, when it is', async () => {
    const { code, stderr } = await cli(['events', 'customers'], { KAFKA_PORT: '1' });
    expect(code).toBe(1);
    expect(stderr).toContain('Kafka at 127.0.0.1:1 is unreachable');
    expect(stderr).toContain('npm run stack -- status');
    expect(stderr).not.toContain('unexpected error');
    expect(stderr).not.toMatch(traceLine);
  });
});
