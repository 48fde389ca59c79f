/** up, down, status and logs over the layers: the orchestrator's API, used by the CLI and tests. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { StackError, type Component, type ComponentStatus, type Context } from './component.js';
import { ROOT, type StackConfig } from './config.js';
import { allComponents, layers } from './layers.js';
import { sink, warehouseDir } from './components/lakehouse.js';
import { blocking, checkLines, runChecks } from './doctor.js';
import { downloadsPending } from './downloads.js';
import { stopSpawning } from './processes.js';

export function selectLayers(names: string[]): string[] {
  if (names.length === 0) return Object.keys(layers);
  for (const n of names) {
    if (!layers[n]) throw new StackError('stack', `unknown layer "${n}"`, `layers: ${Object.keys(layers).join(', ')}`);
  }
  return names;
}

/**
 * Starts the layers' components as soon as what they need is up: a component needs the previous
 * stage of its layer and, across layers, what `needs` names (when that layer is started too).
 * Independent components (PostgreSQL, Kafka, the registry) start in parallel.
 */
export async function up(ctx: Context, layerNames: string[]): Promise<void> {
  const selected = selectLayers(layerNames);
  // The prerequisites first (npm run stack -- doctor prints them all): nothing starts without them.
  const checks = await runChecks(ctx.cfg, selected, downloadsPending(ctx.cfg));
  // What only later commands need (Python for verify --lakehouse, psql for the docs): said, not stopped.
  for (const c of checks.filter((c) => !c.ok && c.neededBy !== 'up'))
    ctx.say(`note: ${c.what}: ${c.detail}; ${c.fix ?? ''}`.replace(/; $/, ''));
  const missing = blocking(checks);
  if (missing.length > 0) {
    throw new StackError(
      'doctor',
      `${missing.length === 1 ? 'a prerequisite is' : `${missing.length} prerequisites are`} missing, so nothing was started:\n${checkLines(missing).join('\n')}`,
      'fix the above, then run up again (npm run stack -- doctor lists every prerequisite)',
    );
  }
  const done = new Map<string, Promise<void>>();
  const needs = new Map<string, string[]>();
  for (const layer of selected) {
    let previous: string[] = [];
    for (const stage of layers[layer]!) {
      for (const c of stage)
        needs.set(c.name, [...previous.filter((p) => !c.after || c.after.includes(p)), ...(c.needs ?? [])]);
      previous = stage.map((c) => c.name);
    }
  }
  const start = (component: Component): Promise<void> => {
    let promise = done.get(component.name);
    if (!promise) {
      const before = (needs.get(component.name) ?? [])
        .map((n) => allComponents().find((c) => c.name === n)!)
        .filter((c) => needs.has(c.name));
      promise = Promise.all(before.map(start)).then(async () => {
        const started = Date.now();
        ctx.say(`${component.name}: starting`);
        const summary = await component.up(ctx);
        const took = component.kind === 'task' ? ` (${((Date.now() - started) / 1000).toFixed(1)} s)` : '';
        ctx.say(`${component.name}: ${summary}${took}`);
      });
      done.set(component.name, promise);
    }
    return promise;
  };
  const all = allComponents().filter((c) => needs.has(c.name));
  // Settle everything before reporting, so a failure does not leave starts running unseen.
  const results = await Promise.allSettled(all.map(start));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Stops what this stack started, in reverse order; with `wipe`, deletes data and logs too. */
export async function down(ctx: Context, options: { wipe: boolean }): Promise<void> {
  for (const component of allComponents().reverse()) {
    if (!component.down) continue;
    const how = await component.down(ctx);
    if (how) ctx.say(`${component.name}: ${how}`);
  }
  if (options.wipe) {
    rmSync(ctx.cfg.dirs.data, { recursive: true, force: true });
    rmSync(ctx.cfg.dirs.logs, { recursive: true, force: true });
    ctx.say(
      `wiped ${path.relative(ROOT, ctx.cfg.dirs.data)} and ${path.relative(ROOT, ctx.cfg.dirs.logs)} (downloads kept)`,
    );
  }
}

/**
 * A home made fresh for a run of its own (the bench's, a test's): first stop what a run before it
 * left running there (an interrupted one; its pid files say what), then delete it.
 */
export async function freshHome(ctx: Context): Promise<void> {
  await down(ctx, { wipe: false });
  rmSync(ctx.cfg.home, { recursive: true, force: true });
}

/**
 * On Ctrl-C (SIGINT) or SIGTERM, stops what this run started in its home and exits (130 or 143):
 * the JVMs run in process groups of their own and would outlive it. Returns the unregistration.
 */
export function downOnSignals(ctx: Context): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stopSpawning();
    ctx.say(`${signal}: stopping what this run started in ${path.relative(ROOT, ctx.cfg.home)}`);
    void down(ctx, { wipe: false })
      .catch(() => undefined)
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

export async function status(ctx: Context): Promise<ComponentStatus[]> {
  return Promise.all(allComponents().map((c) => c.status(ctx)));
}

/** Where to go next, for the layers just started. */
export function readyLines(cfg: StackConfig, layerNames: string[]): string[] {
  const e = cfg.env;
  const selected = selectLayers(layerNames);
  const lines = ['ready.'];
  if (selected.includes('source')) {
    lines.push(`  seeder API and Swagger UI  http://127.0.0.1:${e.SEEDER_PORT}/docs`);
    lines.push(
      `  database                   postgresql://${e.PG_USER}:${e.PG_PASSWORD}@127.0.0.1:${e.PG_PORT}/${e.PG_DATABASE}`,
    );
  }
  if (selected.includes('streaming')) {
    lines.push(`  Kafka                      127.0.0.1:${e.KAFKA_PORT}`);
    lines.push(
      `  schema registry            http://127.0.0.1:${e.REGISTRY_PORT}/apis/ccompat/v7 (Confluent-compatible)`,
    );
    lines.push(`  Kafka Connect              http://127.0.0.1:${e.CONNECT_PORT}/connectors`);
    lines.push('  change events              npm run stack -- events orders');
    lines.push(`  pipeline view              http://127.0.0.1:${e.VIEW_PORT}`);
  }
  if (selected.includes('lakehouse')) {
    lines.push(
      `  Iceberg catalog (JDBC)     postgresql://${e.LAKEHOUSE_PG_USER}:${e.LAKEHOUSE_PG_PASSWORD}@127.0.0.1:${e.PG_PORT}/${e.LAKEHOUSE_PG_DATABASE} (catalog "${sink.catalog}")`,
    );
    lines.push(`  Iceberg warehouse          ${warehouseDir(cfg)}`);
    lines.push(
      `  lakehouse tables           ${sink.tableOf('<table>')}, committed every ${e.LAKEHOUSE_COMMIT_INTERVAL_MS / 1000} s`,
    );
    lines.push('  check the lakehouse        npm run stack -- verify --lakehouse');
  }
  return lines;
}
