import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../stack/src/config.js';
import { connector } from '../../stack/src/cdc/connector.js';
import {
  defaultResolverConverter,
  TUNED_CONNECTOR_SETTINGS,
  tutorialConfig,
  workerConverterSettings,
} from '../baseline.js';

const registry = 'http://127.0.0.1:1/apis/registry/v2';

describe('the tutorial baseline', () => {
  it('undoes every setting it names, and each is one the connector template sets', () => {
    for (const key of Object.keys(TUNED_CONNECTOR_SETTINGS)) expect(connector.template[key], key).toBeDefined();
    const config = tutorialConfig({ ...connector.template }, registry);
    expect(config['poll.interval.ms']).toBe('500');
  });

  it("gives the connector the worker's converter without our schema resolver, the wire format unchanged", () => {
    const worker = workerConverterSettings(registry);
    const resolverKeys = Object.keys(worker).filter((k) => k.endsWith('.apicurio.registry.schema-resolver'));
    expect(resolverKeys.sort()).toEqual([
      'key.converter.apicurio.registry.schema-resolver',
      'value.converter.apicurio.registry.schema-resolver',
    ]);
    const plain = defaultResolverConverter(registry);
    for (const k of resolverKeys) expect(plain[k]).toBeUndefined();
    expect(plain['value.converter']).toBe(worker['value.converter']);
    expect(plain['value.converter.apicurio.registry.use-id']).toBe('contentId');
    expect(plain['key.converter.apicurio.registry.id-handler']).toBe(
      worker['key.converter.apicurio.registry.id-handler'],
    );
    expect(plain['value.converter.apicurio.registry.url']).toBe(registry);
  });
});

describe('the schema resolver the worker config names', () => {
  it('is a class of jvm/schema-resolver', () => {
    const named = new Set(
      Object.entries(workerConverterSettings(registry))
        .filter(([k]) => k.endsWith('.schema-resolver'))
        .map(([, v]) => v),
    );
    expect(named.size).toBe(1);
    const [cls] = [...named];
    const source = path.join(
      ROOT,
      'jvm',
      'schema-resolver',
      'src',
      'main',
      'java',
      `${cls!.replaceAll('.', '/')}.java`,
    );
    expect(existsSync(source), source).toBe(true);
  });

  it("is built against the converter's Apicurio version (the POM's default agrees with .env)", () => {
    const pom = readFileSync(path.join(ROOT, 'jvm', 'schema-resolver', 'pom.xml'), 'utf8');
    const env = readFileSync(path.join(ROOT, '.env'), 'utf8');
    const inPom = /<apicurio\.converter\.version>([^<]+)</.exec(pom)?.[1];
    const inEnv = /^APICURIO_CONVERTER_VERSION=(.+)$/m.exec(env)?.[1]?.trim();
    expect(inPom).toBeDefined();
    expect(inPom).toBe(inEnv);
  });
});
