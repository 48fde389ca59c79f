/** A seeder killed before its cleanup (chaos does it on purpose) leaves its render bundle: the next one removes it. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeOrphanBundles } from '../../../src/loads/load.js';

const cache = mkdtempSync(path.join(tmpdir(), 'render-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('removeOrphanBundles', () => {
  it("removes the bundles of seeders that are gone, keeps a running one's and everything else", () => {
    // A pid that is not running: above the kernel's pid_max default.
    const dead = 4_194_305;
    for (const name of [
      `storefront-render-${dead}-abc`,
      'storefront-render-Xy12ab',
      `storefront-render-${process.pid}-def`,
      'another-tool',
    ])
      mkdirSync(path.join(cache, name));
    removeOrphanBundles(cache);
    expect(readdirSync(cache).sort()).toEqual(['another-tool', `storefront-render-${process.pid}-def`]);
  });
});
