/**
 * The first clicks a newcomer makes, in a real browser: open /docs, "Try it out" and "Execute" on
 * the prefilled examples. They must start the README's small load and a gentle delta stream.
 */
import type pg from 'pg';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type SeederApp } from '../../src/app.js';
import { fullLoadExample } from '../../src/routes/full-load.js';
import { launchChromium } from '../support/browser.js';
import { adminClient, freshDatabase } from '../support/database.js';

let app: SeederApp;
let db: pg.Client;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  const config = await freshDatabase('it_swagger_ui');
  app = await buildApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  base = `http://127.0.0.1:${port}`;
  db = await adminClient('it_swagger_ui');
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${base}/docs`, { waitUntil: 'networkidle0' });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.end();
});

/**
 * Expands an operation, clicks "Try it out" then "Execute"; returns the status and body shown.
 * Clicks go through locators, which wait until the element is there, visible and still (an
 * operation expands with an animation).
 */
async function tryItOut(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const block = `.opblock-${method}:has(.opblock-summary-path[data-path="${path}"])`;
  await page.waitForSelector(block);
  if (!(await page.$(`${block}.is-open`))) await page.locator(`${block} .opblock-summary-control`).click();
  await page.locator(`${block} .try-out__btn`).click();
  await page.locator(`${block} .btn.execute`).click();
  const status = `${block} .live-responses-table tbody .response-col_status`;
  await page.waitForSelector(status, { timeout: 30_000 });
  const text = await page.$eval(status, (el) => el.textContent ?? '');
  const body = await page.$eval(
    `${block} .live-responses-table tbody .response-col_description pre`,
    (el) => el.textContent ?? '',
  );
  // Leave the block as found, so the next run of the same operation starts clean.
  await page.locator(`${block} .try-out__btn`).click();
  return { status: Number(text.trim()), body: JSON.parse(body) as unknown };
}

const count = async (table: string) => Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

describe('Swagger UI, in Chromium', () => {
  it('prefills POST /full-load with the README load, and Execute runs it', async () => {
    const res = await tryItOut('post', '/full-load');
    expect(res.status).toBe(202);
    const job = res.body as { id: string; status: string; request: object };
    expect(job.request).toMatchObject(fullLoadExample);
    await vi.waitFor(
      async () =>
        expect(((await (await fetch(`${base}/jobs/${job.id}`)).json()) as { status: string }).status).toBe('succeeded'),
      { timeout: 30_000, interval: 100 },
    );
    expect(await count('customers')).toBe(fullLoadExample.customers);
    expect(await count('orders')).toBe(fullLoadExample.orders);
  });

  it('documents wait as a boolean: a true/false choice, not free text', async () => {
    const block = `.opblock-post:has(.opblock-summary-path[data-path="/full-load"])`;
    if (!(await page.$(`${block}.is-open`))) await page.locator(`${block} .opblock-summary-control`).click();
    await page.locator(`${block} .try-out__btn`).click();
    const options = await page.$$eval(`${block} tr[data-param-name="wait"] select option`, (els) =>
      els.map((e) => e.textContent),
    );
    await page.locator(`${block} .try-out__btn`).click();
    expect(options).toEqual(expect.arrayContaining(['true', 'false']));
  });

  it('prefills POST /deltas/start with a gentle rate, and POST /deltas/stop stops it', async () => {
    const started = await tryItOut('post', '/deltas/start');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ state: 'running', settings: { ratePerSecond: 20, durationSeconds: 60 } });
    const stopped = await tryItOut('post', '/deltas/stop');
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ state: 'stopped' });
  });
});
