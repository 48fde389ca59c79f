/**
 * .env is the home of the versions; jvm/connect-plugins/pom.xml carries defaults for running Maven
 * by hand (its usage comment and its properties). They must name the same ones.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/config.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const env = parse(read('.env'));
const pom = read('jvm/connect-plugins/pom.xml');

describe("the Connect plugins POM's default versions", () => {
  it.each([
    ['debezium.version', 'DEBEZIUM_VERSION'],
    ['apicurio.converter.version', 'APICURIO_CONVERTER_VERSION'],
  ])("%s is .env's %s, in its properties and its usage comment", (property, key) => {
    expect(env[key]).toMatch(/\S/);
    expect(new RegExp(`<${property}>([^<]+)</${property}>`).exec(pom)?.[1]).toBe(env[key]);
    expect(pom).toContain(`-D${property}=${env[key]} `.trimEnd());
  });
});
