/**
 * `npm run view:screenshot`: the README's picture of the pipeline view, taken by the same
 * Chromium the browser tests drive, from the running playground (start it, load the shop and start
 * deltas first, as the README's "Does it work?" says; then wait a minute for the rates).
 */
import path from 'node:path';
import { launchChromium } from '../seeder/test/support/browser.js';
import { loadStackConfig, ROOT } from '../stack/src/config.js';
import { viewUrl } from '../stack/src/components/view.js';

const out = path.join(ROOT, 'docs', 'pipeline-view.png');
const url = viewUrl(loadStackConfig());
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 760, deviceScaleFactor: 1 });
  const res = await page.goto(url, { waitUntil: 'networkidle2' }).catch(() => null);
  if (!res?.ok()) throw new Error(`the view does not answer at ${url}: npm run stack -- up`);
  // Two refreshes, so the rates and latencies have samples.
  await new Promise((r) => setTimeout(r, 4_500));
  await page.screenshot({ path: out });
  process.stdout.write(`wrote ${path.relative(ROOT, out)} from ${url}\n`);
} finally {
  await browser.close();
}
