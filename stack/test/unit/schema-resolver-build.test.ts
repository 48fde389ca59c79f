/** Where the schema resolver's jar is built and put: the POM, the stack and Dockerfile.connect agree. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESOLVER_JAR } from '../../src/components/connect.js';
import { ROOT } from '../../src/config.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe("the schema resolver's jar", () => {
  it("is the name the resolver's POM builds", () => {
    const finalName = /<finalName>([^<]+)<\/finalName>/.exec(read('jvm/schema-resolver/pom.xml'))?.[1];
    expect(`${finalName}.jar`).toBe(RESOLVER_JAR);
  });

  it("lies in the converter's plugin folder on both paths", () => {
    // The folder jvm/connect-plugins/pom.xml fills with the converter's jars (the stack puts the
    // resolver there too: stack/src/components/connect.ts).
    expect(read('jvm/connect-plugins/pom.xml')).toContain(
      '<outputDirectory>${plugins.dir}/apicurio-converter</outputDirectory>',
    );
    const dockerfile = read('Dockerfile.connect');
    expect(dockerfile).toContain('COPY jvm/schema-resolver jvm/schema-resolver');
    expect(dockerfile).toContain('-Dresolver.build.dir=/build/resolver');
    expect(dockerfile).toContain(`cp /build/resolver/${RESOLVER_JAR} /plugins/apicurio-converter/`);
    // The plugins stage's folder is the one the container's plugin.path names.
    expect(dockerfile).toMatch(/COPY --from=plugins [^\n]*\/plugins \/opt\/kafka\/connect-plugins\n/);
    expect(read('compose/connect/connect-distributed.docker.properties')).toMatch(
      /^plugin\.path=\/opt\/kafka\/connect-plugins$/m,
    );
  });

  it("is built from what the image's build context lets in", () => {
    const ignore = read('.dockerignore').split('\n');
    expect(ignore).toContain('!jvm/schema-resolver/pom.xml');
    expect(ignore).toContain('!jvm/schema-resolver/src/main/**');
  });
});
