/**
 * The pipeline view in a real browser (Debian's Chromium driven by puppeteer-core) against the
 * whole running pipeline: `npm run stack -- up` on the `local` backend, the compose files (with
 * the view's own image) on `docker`. Everything goes through the page, as a user clicks it, and
 * is checked against the components' own APIs.
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { tables } from '../../../seeder/src/db/tables.js';
import { launchChromium } from '../../../seeder/test/support/browser.js';
import { connector } from '../../../stack/src/cdc/connector.js';
import { registry } from '../../../stack/src/components/registry.js';
import type { ComposeStack } from '../../../stack/test/support/docker-backend.js';
import { claimHome, contextFor, isolatedEnv, stackCli } from '../../../stack/test/support/stack-cli.js';

const HOME = '.stack/e2e-view';
const backend = inject('backend');
let env: NodeJS.ProcessEnv;
let compose: ComposeStack | undefined;
let browser: Browser;
let page: Page;
let view: string;
let seeder: string;
let connect: string;
let upOutput = '';
let releaseHome: (() => void) | undefined;

const json = async <T>(url: string, init?: RequestInit) => (await (await fetch(url, init)).json()) as T;

/** What the page's table shows, read from the DOM as it is now (htmx replaces it every 2 s). */
const shownRows = (p: Page) =>
  p.$$eval('tr[data-table]', (rows) =>
    rows.map((r) => ({
      table: r.getAttribute('data-table')!,
      sourceRows: r.getAttribute('data-source-rows') === '' ? null : Number(r.getAttribute('data-source-rows')),
      events: r.getAttribute('data-events') === '' ? null : Number(r.getAttribute('data-events')),
    })),
  );

const connectorState = async () =>
  (await json<{ connector: { state: string } }>(`${connect}/connectors/${connector.name}/status`)).connector.state;

beforeAll(async () => {
  env = await isolatedEnv(HOME);
  releaseHome = await claimHome(env);
  if (backend === 'docker') {
    const { composePorts, upCompose } = await import('../../../stack/test/support/docker-backend.js');
    compose = await upCompose(Object.fromEntries(composePorts.map((k) => [k, env[k]!])));
  } else {
    upOutput = (await stackCli(env)('up')).stdout;
  }
  view = `http://127.0.0.1:${env.VIEW_PORT}`;
  seeder = `http://127.0.0.1:${env.SEEDER_PORT}`;
  connect = `http://127.0.0.1:${env.CONNECT_PORT}`;
  const load = await fetch(`${seeder}/full-load?wait=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customers: 200, products: 40, orders: 300, seed: 13 }),
  });
  expect(load.status).toBe(200);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
});

afterAll(async () => {
  releaseHome?.();
  await browser?.close();
  if (compose) await compose.down().catch((err: unknown) => console.error(err));
  else await stackCli(env)('down', '--wipe').catch((err: unknown) => console.error(err));
});

describe(`the pipeline view in a browser (backend ${backend})`, () => {
  it.runIf(backend === 'local')('is started by npm run stack -- up, which prints its URL', () => {
    expect(upOutput).toMatch(/view: up \(pid \d+/);
    expect(upOutput).toContain(`pipeline view              ${view}`);
  });

  it('lists all nine tables, with source rows equal to /stats, and catches up with the events live', async () => {
    await page.goto(view, { waitUntil: 'domcontentloaded' });
    const stats = await json<{ rows: Record<string, number> }>(`${seeder}/stats`);
    // No reload: the page's own refresh brings every change event in.
    await vi.waitFor(
      async () => {
        const rows = await shownRows(page);
        expect(rows.map((r) => r.table)).toEqual([...tables]);
        for (const r of rows) {
          expect(r.sourceRows, r.table).toBe(stats.rows[r.table]);
          // Every row was created once, so its topic holds at least as many events.
          expect(r.events, r.table).toBeGreaterThanOrEqual(r.sourceRows!);
        }
      },
      { timeout: 60_000, interval: 1_000 },
    );
    expect(await page.$$eval('[data-component][data-up="true"]', (c) => c.length)).toBe(6);
  });

  it('starts deltas from the page, and a new event appears in the topic view within seconds', async () => {
    const topic = await browser.newPage();
    try {
      await topic.goto(`${view}/topics/orders`, { waitUntil: 'domcontentloaded' });
      const newest = () => topic.$eval('tr[data-offset]', (r) => Number(r.getAttribute('data-offset')));
      const before = await newest();

      // The tab clicked in must be the front one: Chromium runs no animation frames in a hidden
      // tab, and puppeteer's locators wait for them. The topic tab keeps refreshing behind it.
      await page.bringToFront();
      await page.goto(view, { waitUntil: 'domcontentloaded' });
      await page.locator('#rate').fill('30');
      await page.locator('[data-action="start-deltas"]').click();
      await page.waitForSelector('[data-deltas-state="running"]', { timeout: 10_000 });
      const status = await json<{ state: string; settings: { ratePerSecond: number } }>(`${seeder}/deltas`);
      expect(status).toMatchObject({ state: 'running', settings: { ratePerSecond: 30 } });

      const started = Date.now();
      await vi.waitFor(async () => expect(await newest()).toBeGreaterThan(before), { timeout: 15_000, interval: 250 });
      console.log(`a new orders event appeared in the topic view ${Date.now() - started} ms after deltas started`);
      // The newest change (a tombstone, which follows a delete, carries no commit time or change).
      const newestChange = await topic.$eval('tr[data-offset]:not([data-op="tombstone"])', (r) => r.textContent ?? '');
      expect(newestChange).toMatch(/create|update|delete/);
      expect(newestChange).toMatch(/\d+ ms/);
    } finally {
      await topic.close();
    }
    await page.locator('[data-action="stop-deltas"]').click();
    await page.waitForSelector('[data-deltas-state="stopped"]', { timeout: 10_000 });
    expect((await json<{ state: string }>(`${seeder}/deltas`)).state).toBe('stopped');
  });

  it('pauses the connector from the page, Connect agrees, and resumes it', async () => {
    await page.goto(view, { waitUntil: 'domcontentloaded' });
    await page.locator('[data-action="pause"]').click();
    await page.waitForSelector('[data-connector-state="PAUSED"]', { timeout: 20_000 });
    expect(await connectorState()).toBe('PAUSED');

    await page.locator('[data-action="resume"]').click();
    await page.waitForSelector('[data-connector-state="RUNNING"]', { timeout: 20_000 });
    expect(await connectorState()).toBe('RUNNING');
  });

  it('shows a stopped registry as down, with the command that brings it up, and recovers', async () => {
    const ctx = contextFor(env);
    if (compose) await compose.stop('registry');
    else await registry.down!(ctx);
    try {
      await page.goto(view, { waitUntil: 'domcontentloaded' });
      const banner = await page.waitForSelector('[data-down="registry"]', { timeout: 15_000 });
      const text = await banner!.evaluate((e) => e.textContent ?? '');
      expect(text).toContain('Schema registry is down');
      expect(text).toContain(
        backend === 'docker'
          ? 'docker compose -f docker-compose.streaming.yaml up -d registry'
          : 'npm run stack -- up streaming',
      );
      // The rest of the page still works: the tables are there, the other components up.
      expect((await shownRows(page)).length).toBe(tables.length);
      expect(await page.$eval('[data-component="registry"]', (e) => e.getAttribute('data-up'))).toBe('false');
      const schemas = await page.goto(`${view}/schemas`, { waitUntil: 'domcontentloaded' });
      expect(schemas?.status()).toBe(502);
      expect(await page.content()).toContain('What to try:');
    } finally {
      if (compose) await compose.restart('registry');
      else await registry.up(ctx);
    }
    await page.goto(view, { waitUntil: 'domcontentloaded' });
    await vi.waitFor(async () => expect(await page.$('[data-down="registry"]')).toBeNull(), {
      timeout: 30_000,
      interval: 1_000,
    });
    await page.goto(`${view}/schemas`, { waitUntil: 'domcontentloaded' });
    const subjects = await page.$$eval('tr[data-subject]', (rows) => rows.map((r) => r.getAttribute('data-subject')));
    for (const t of tables) expect(subjects).toContain(`${connector.topicPrefix}.public.${t}-value`);
  });
});
