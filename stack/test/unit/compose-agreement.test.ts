/**
 * Where the dockerless stack and the compose files must agree, these tests say so: JVM settings
 * (one file both read), and Flyway's, the seeder's and the pipeline view's settings (written in both
 * places, compared here).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, ownSettings, SeederEnv } from '../../../seeder/src/config.js';
import { flywayEnv } from '../../src/components/flyway.js';
import { seederEnv } from '../../src/components/seeder.js';
import { viewEnv } from '../../src/components/view.js';
import { loadViewConfig, ViewEnv } from '../../../view/src/config.js';
import { loadStackConfig, ROOT } from '../../src/config.js';
import { jvmOptions, readJvmOptions, type JvmService } from '../../src/jvm.js';

interface ComposeService {
  env_file?: string[];
  environment?: Record<string, string>;
}
const services = (file: string) =>
  (parseYaml(readFileSync(path.join(ROOT, file), 'utf8')) as { services: Record<string, ComposeService> }).services;

/** `${VAR}`, `${VAR:?msg}`, `${VAR:-default}` filled from .env, as compose interpolates. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::?[?-]([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
    const v = vars[name];
    if (v !== undefined && v !== '') return v;
    return fallback ?? '';
  });
}

describe('JVM settings: one home (compose/jvm/<service>.env)', () => {
  const streaming = services('docker-compose.streaming.yaml');
  const jvmServices = ['kafka', 'connect', 'registry'] as const satisfies readonly JvmService[];

  it.each(jvmServices)('compose service %s reads its file and overrides none of it', (name) => {
    const service = streaming[name]!;
    expect(service.env_file).toEqual([`compose/jvm/${name}.env`]);
    const fileKeys = Object.keys(
      Object.fromEntries(
        readFileSync(path.join(ROOT, 'compose', 'jvm', `${name}.env`), 'utf8')
          .split('\n')
          .filter((l) => /^\w+=/.test(l))
          .map((l) => l.split('=', 1)),
      ),
    );
    for (const key of [...fileKeys, 'JAVA_OPTS'])
      expect(Object.keys(service.environment ?? {}), `${name} sets ${key} again`).not.toContain(key);
  });

  it.each(jvmServices)('%s: exactly one garbage collector and a maximum heap', (name) => {
    const options = jvmOptions[name];
    expect(options.filter((o) => /^-XX:\+Use\w*GC$/.test(o))).toHaveLength(1);
    expect(options.some((o) => /^-Xmx\d+[mg]$/.test(o))).toBe(true);
  });

  it('names a missing variable', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'jvm-')), 'registry.env');
    writeFileSync(file, 'JAVA_OPTS_APPEND=-Xmx1m\n');
    expect(() => readJvmOptions('registry', file)).toThrow(/GC_CONTAINER_OPTIONS is not set/);
  });
});

describe('Flyway: the dockerless stack passes what the compose service passes', () => {
  it('has the same FLYWAY_* settings but for where the database and the migrations are', () => {
    const cfg = loadStackConfig({});
    const compose = services('docker-compose.source.yaml').flyway!.environment!;
    const composed = Object.fromEntries(Object.entries(compose).map(([k, v]) => [k, interpolate(v, cfg.raw)]));
    const local = flywayEnv(cfg, cfg.env.PG_DATABASE);
    // Host and path differ by nature (service name vs 127.0.0.1, mount vs checkout).
    expect(composed.FLYWAY_URL).toBe(`jdbc:postgresql://postgres:5432/${cfg.env.PG_DATABASE}`);
    expect(local.FLYWAY_URL).toBe(`jdbc:postgresql://127.0.0.1:${cfg.env.PG_PORT}/${cfg.env.PG_DATABASE}`);
    expect(composed.FLYWAY_LOCATIONS).toBe('filesystem:/flyway/sql');
    expect(local.FLYWAY_LOCATIONS).toBe(`filesystem:${path.join(ROOT, 'migrations')}`);
    const rest = (env: Record<string, string>) =>
      Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'FLYWAY_URL' && k !== 'FLYWAY_LOCATIONS'));
    expect(rest(local)).toEqual(rest(composed));
  });
});

/** Every role's password in .env, but the process's own: what must never reach it. */
const PASSWORDS = [
  'PG_PASSWORD',
  'DEBEZIUM_PG_PASSWORD',
  'SEEDER_PG_PASSWORD',
  'VIEW_PG_PASSWORD',
  'LAKEHOUSE_PG_PASSWORD',
];
const OTHER_ROLES_PASSWORDS = {
  seeder: PASSWORDS.filter((p) => p !== 'SEEDER_PG_PASSWORD'),
  view: PASSWORDS.filter((p) => p !== 'VIEW_PG_PASSWORD'),
};

describe('secrets only where they are used', () => {
  it(".env holds every role's password the list knows", () => {
    const dotEnv = loadStackConfig({}).raw;
    expect(
      Object.keys(dotEnv)
        .filter((k) => k.endsWith('PASSWORD'))
        .sort(),
    ).toEqual([...PASSWORDS].sort());
  });

  it.each([
    ['seeder', SeederEnv],
    ['view', ViewEnv],
  ] as const)("the %s's settings schema holds no other role's password", (name, schema) => {
    const keys = Object.keys(schema.shape);
    for (const other of OTHER_ROLES_PASSWORDS[name]) expect(keys).not.toContain(other);
  });

  it.each([
    ['docker-compose.source.yaml', 'seeder'],
    ['docker-compose.streaming.yaml', 'view'],
  ] as const)("%s gives the %s no other role's password, and no env_file", (file, name) => {
    const service = services(file)[name]!;
    expect(service.env_file).toBeUndefined();
    const text = JSON.stringify(service.environment);
    for (const other of OTHER_ROLES_PASSWORDS[name]) expect(text).not.toMatch(new RegExp(`(?<![A-Z_])${other}\\b`));
  });

  it("the dockerless stack gives the view no other role's password", () => {
    const env = viewEnv(loadStackConfig({}));
    for (const other of OTHER_ROLES_PASSWORDS.view) expect(env).not.toHaveProperty(other);
  });

  it('a process reads only its own keys of .env, and the environment over them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'own-settings-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, `${PASSWORDS.map((p) => `${p}=from-file`).join('\n')}\nLOG_LEVEL=warn\n`);
    const own = ownSettings(SeederEnv, { LOG_LEVEL: 'debug', PG_PASSWORD: 'from-shell' }, file);
    expect(own).toEqual({ SEEDER_PG_PASSWORD: 'from-file', LOG_LEVEL: 'debug' });
    expect(ownSettings(ViewEnv, {}, file)).toEqual({ VIEW_PG_PASSWORD: 'from-file' });
  });
});

describe('seeder settings: every key of SeederEnv reaches the seeder on both paths', () => {
  const keys = Object.keys(SeederEnv.shape);
  /** Where the seeder runs: each path sets these itself. */
  const placement = ['PG_HOST', 'PG_PORT', 'SEEDER_HOST', 'SEEDER_PORT'];

  it('dockerless: from .env or the shell, as the stack validated them', () => {
    // A value for every setting, none of them .env's: a new key in SeederEnv must be added here.
    const shell: Record<string, string> = {
      PG_DATABASE: 'db_x',
      SEEDER_PG_USER: 'seeder_x',
      SEEDER_PG_PASSWORD: 'p3',
      LOG_LEVEL: 'warn',
      SEED_ON_START: 'customers=1',
      DELTAS_ON_START: '3',
      SEEDER_PG_POOL_SIZE: '9',
      SEEDER_RENDER_THREADS: '1',
      HTTP_ALLOWED_HOSTS: 'shop.lan',
    };
    expect(Object.keys(shell).sort()).toEqual(keys.filter((k) => !placement.includes(k)).sort());
    const env = seederEnv(loadStackConfig(shell));
    for (const [k, v] of Object.entries(shell)) expect(env[k], k).toBe(v);
    expect(env).toMatchObject({ PG_HOST: '127.0.0.1', SEEDER_HOST: '127.0.0.1' });
    for (const other of OTHER_ROLES_PASSWORDS.seeder) expect(env, other).not.toHaveProperty(other);
  });

  it('compose: every key of SeederEnv (not the whole .env), the values from .env, overriding only where it runs', () => {
    const seeder = services('docker-compose.source.yaml').seeder!;
    expect(seeder.env_file).toBeUndefined();
    expect(Object.keys(seeder.environment ?? {}).sort()).toEqual([...keys].sort());
    const dotEnv = loadStackConfig({}).raw;
    const composed = Object.fromEntries(
      Object.entries(seeder.environment!).map(([k, v]) => [k, interpolate(String(v), dotEnv)]),
    );
    for (const k of keys.filter((key) => !placement.includes(key)))
      expect(composed[k], k).toBe(dotEnv[k] ?? (k === 'LOG_LEVEL' ? 'info' : ''));
    expect(loadConfig(composed).db).toMatchObject({ user: dotEnv.SEEDER_PG_USER, password: dotEnv.SEEDER_PG_PASSWORD });
  });
});

describe('pipeline view settings: the same keys on both paths', () => {
  const keys = Object.keys(ViewEnv.shape).sort();

  it('dockerless: the stack passes every key of ViewEnv, for this machine', () => {
    const cfg = loadStackConfig({});
    const env = viewEnv(cfg);
    expect(
      Object.keys(env)
        .filter((k) => !['PATH', 'HOME', 'NODE_ENV'].includes(k))
        .sort(),
    ).toEqual(keys);
    expect(loadViewConfig(env)).toMatchObject({
      VIEW_HOST: '127.0.0.1',
      VIEW_RUNS_IN: 'local',
      KAFKA_BOOTSTRAP: `127.0.0.1:${cfg.env.KAFKA_PORT}`,
      VIEW_PG_USER: cfg.env.VIEW_PG_USER,
    });
  });

  it('compose: the view service passes the same keys (not the whole .env), its role from .env', () => {
    const service = services('docker-compose.streaming.yaml').view!;
    expect(service.env_file).toBeUndefined();
    const dotEnv = loadStackConfig({}).raw;
    const composed = Object.fromEntries(
      Object.entries(service.environment!).map(([k, v]) => [k, interpolate(String(v), dotEnv)]),
    );
    expect(Object.keys(composed).sort()).toEqual(keys);
    const parsed = loadViewConfig(composed);
    expect(parsed).toMatchObject({
      VIEW_RUNS_IN: 'compose',
      PG_DATABASE: dotEnv.PG_DATABASE,
      VIEW_PG_USER: dotEnv.VIEW_PG_USER,
      VIEW_PG_PASSWORD: dotEnv.VIEW_PG_PASSWORD,
    });
    expect(JSON.stringify(service.environment)).not.toMatch(/\$\{(PG_USER|PG_PASSWORD)\b/);
  });
});
