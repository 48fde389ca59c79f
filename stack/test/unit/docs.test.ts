/**
 * The docs a newcomer reads: a short README whose quick start CI runs as written (.ci/run), a page
 * per task in docs/ that says first what the reader will have done, and links that resolve
 * (npm run check:links, in pre-commit and CI).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/config.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const readme = read('README.md');

/** The sh blocks between the quick-start markers, as .ci/run's awk extracts them. */
function quickStartBlocks(text: string): string[] {
  const from = text.indexOf('<!-- quick-start:');
  const to = text.indexOf('<!-- quick-start:end -->');
  expect(from).toBeGreaterThan(-1);
  expect(to).toBeGreaterThan(from);
  return [...text.slice(from, to).matchAll(/^ *```sh\n([\s\S]*?)^ *```$/gm)].map((m) =>
    m[1]!.replace(/^ {3}/gm, '').trim(),
  );
}

describe('the README', () => {
  it('is at most 250 lines, with no lab notes', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(readme).not.toMatch(/\bpart \d+\b|#\d{2}\b|issue #/i);
  });

  it('has a quick start of load, look, watch, verify and stop that CI runs as written', () => {
    const blocks = quickStartBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks[0]).toContain('/full-load');
    expect(blocks.join('\n')).toMatch(/npm run stack -- verify\n/);
    expect(blocks.join('\n')).toContain('npm run stack -- verify --lakehouse');
    // .ci/run runs every block but the last before the notebooks, and the last (down) after them.
    expect(blocks.at(-1)).toBe('npm run stack -- down');
    const ci = read('.ci/run');
    expect(ci).toContain('<!-- quick-start:/ { on = 1 }');
    expect(ci).toContain('bash -euo pipefail -c "${quick_start[i]}"');
    expect(ci).toContain('bash -euo pipefail -c "${quick_start[-1]}"');
  });

  it('shows the run and test commands the project runs', () => {
    expect(readme).toContain('`npm ci && npm run stack -- up`');
    expect(readme).toContain('`npm test`');
    expect(read('.ci/run')).toMatch(/^npm test /m);
  });
});

describe('docs/', () => {
  const pages = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));

  it.each(pages)('%s says first what the reader will have done at its end', (page) => {
    const [title, , lead] = read(`docs/${page}`).split('\n');
    expect(title).toMatch(/^# /);
    expect(lead).toMatch(/^At the end of this page you will (have|know)/);
  });

  it('has the pages the README points to, each linked from it', () => {
    for (const page of pages) expect(readme).toContain(`](docs/${page})`);
  });
});
