import type { SeederApp } from './app.js';
import type { Config } from './config.js';
import { checkReadiness, countRows } from './db/status-repository.js';

/** SEED_ON_START and DELTAS_ON_START: wait for migrations, then populate without a click. */
export async function populateOnStart(app: SeederApp, config: Config): Promise<void> {
  if (!config.seedOnStart && !config.deltasOnStart) return;
  for (let attempt = 1; ; attempt++) {
    const ready = await checkReadiness(app.pool).catch((err: Error) => ({ ready: false, reason: err.message }));
    if (ready.ready) break;
    if (attempt % 10 === 1) app.log.info({ reason: ready.reason }, 'waiting for the database before populating');
    await new Promise((r) => setTimeout(r, 1_000));
    if (app.server.listening === false) return;
  }
  if (config.seedOnStart) {
    const counts = await countRows(app.pool);
    if (counts.customers > 0) {
      app.log.info({ customers: counts.customers }, 'SEED_ON_START skipped: the database already has customers');
    } else {
      const s = config.seedOnStart;
      const job = app.loads.start({
        customers: s.customers ?? 0,
        products: s.products ?? 0,
        orders: s.orders ?? 0,
        seed: s.seed,
      });
      await app.loads.wait(job.id).catch(() => undefined);
    }
  }
  if (config.deltasOnStart) {
    app.deltas.start({ ratePerSecond: config.deltasOnStart });
  }
}
