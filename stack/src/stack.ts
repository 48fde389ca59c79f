/** up, down, status and logs over the layers: the orchestrator's API, used by the CLI and tests. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { StackError, type ComponentStatus, type Context } from './component.js';
import { ROOT } from './config.js';
import { allComponents, layers } from './layers.js';

export function selectLayers(names: string[]): string[] {
  if (names.length === 0) return Object.keys(layers);
  for (const n of names) {
    if (!layers[n]) throw new StackError('stack', `unknown layer "${n}"`, `layers: ${Object.keys(layers).join(', ')}`);
  }
  return names;
}

export async function up(ctx: Context, layerNames: string[]): Promise<void> {
  for (const layer of selectLayers(layerNames)) {
    for (const component of layers[layer]!) {
      const started = Date.now();
      ctx.say(`${component.name}: starting`);
      const summary = await component.up(ctx);
      ctx.say(
        `${component.name}: ${summary}${component.kind === 'task' ? ` (${((Date.now() - started) / 1000).toFixed(1)} s)` : ''}`,
      );
    }
  }
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

export async function status(ctx: Context): Promise<ComponentStatus[]> {
  return Promise.all(allComponents().map((c) => c.status(ctx)));
}
