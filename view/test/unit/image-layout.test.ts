/**
 * What Dockerfile.view builds, without Docker: its tsc build, laid out as its runtime stage copies
 * it, started with its CMD. The compiled imports resolve, the templates and static files are found,
 * and everything it imports at run time is a production dependency (the image has no others).
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../../stack/src/config.js';
import { freePort } from '../../../seeder/test/support/test-stack.js';

const run = promisify(execFile);
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile.view'), 'utf8');
const app = mkdtempSync(path.join(tmpdir(), 'view-image-'));
afterAll(() => rmSync(app, { recursive: true, force: true }));

const jsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? jsFiles(path.join(dir, d.name)) : d.name.endsWith('.js') ? [path.join(dir, d.name)] : [],
  );

describe('the view image (Dockerfile.view) without Docker', () => {
  it('compiles what the Dockerfile copies, and runs with its CMD', { timeout: 90_000 }, async () => {
    // The build stage copies exactly these sources; tsc must need no other.
    const copied = [
      ...dockerfile.matchAll(/^COPY (view\/src|seeder\/src\/[\w-]+\.ts|stack\/src\/cdc\/avro\.ts) /gm),
    ].map((m) => m[1]);
    expect(copied).toEqual([
      'view/src',
      'seeder/src/config.ts',
      'seeder/src/request-guard.ts',
      'stack/src/cdc/avro.ts',
    ]);
    const src = mkdtempSync(path.join(tmpdir(), 'view-build-'));
    try {
      for (const f of ['package.json', 'tsconfig.json', 'view/tsconfig.build.json', ...copied])
        cpSync(path.join(ROOT, f!), path.join(src, f!), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'));
      await run(
        process.execPath,
        [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'view/tsconfig.build.json'],
        {
          cwd: src,
        },
      );
      cpSync(path.join(src, '.build/view'), app, { recursive: true });
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
    for (const dir of ['package.json', 'view/templates', 'view/public'])
      cpSync(path.join(ROOT, dir), path.join(app, dir), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));

    const dependencies = Object.keys(
      (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: object }).dependencies,
    );
    const imported = new Set(
      jsFiles(app)
        .filter((f) => !f.includes('node_modules'))
        .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\bfrom '([^'.][^']*)'|\bimport '([^'.][^']*)'/g)])
        .map((m) => (m[1] ?? m[2])!)
        .filter((spec) => !spec.startsWith('node:') && !builtinModules.includes(spec))
        .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)),
    );
    for (const pkg of imported) expect(dependencies, `${pkg} is imported at run time`).toContain(pkg);

    const port = await freePort();
    const closed = `127.0.0.1:${await freePort()}`;
    const cmd = /^CMD \["node", "([^"]+)"\]$/m.exec(dockerfile)![1]!;
    const child = spawn(process.execPath, [cmd], {
      cwd: app,
      env: {
        PATH: process.env.PATH,
        VIEW_PORT: String(port),
        PG_HOST: '127.0.0.1',
        PG_PORT: closed.split(':')[1],
        PG_DATABASE: 'storefront',
        VIEW_PG_PASSWORD: 'x',
        KAFKA_BOOTSTRAP: closed,
        REGISTRY_URL: `http://${closed}`,
        CONNECT_URL: `http://${closed}`,
        SEEDER_URL: `http://${closed}`,
      },
      stdio: 'ignore',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await vi.waitFor(async () => expect((await fetch(`${base}/health`)).ok).toBe(true), {
        timeout: 30_000,
        interval: 300,
      });
      const page = await fetch(base);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Kafka Connect is down');
      for (const asset of ['/static/view.css', '/static/htmx/htmx.min.js'])
        expect((await fetch(`${base}${asset}`)).status, asset).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
