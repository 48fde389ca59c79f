/**
 * npm run bench:knobs -- '<variants>' [rate]: CDC latency (p50/p90/p99, commit to decoded by a
 * consumer) and each component's CPU time per row change at one delta rate, for the committed
 * connector config and for each variant of it, on one stack in one run, e.g.
 *   npm run bench:knobs -- '[["poll 20ms", {"poll.interval.ms": "20"}]]' 1000
 * A variant with "@default-resolver": "true" gives the connector the worker's converter with
 * Apicurio's default schema resolver instead of ours (bench/baseline.ts):
 *   npm run bench:knobs -- '[["default resolver", {"@default-resolver": "true"}]]' 2000
 * Every variant runs after the same warm-up as the full bench's ladder (lib's WARM_UP). This is
 * how the connector's latency settings were chosen (connectors/README.md).
 */
import { tables } from '../seeder/src/db/tables.js';
import { createDecoder } from '../stack/src/cdc/avro.js';
import { connector, topicOf } from '../stack/src/cdc/connector.js';
import { superuserClient } from '../stack/src/components/postgres.js';
import { waitForCapture } from '../stack/src/operations.js';
import { down, up } from '../stack/src/stack.js';
import { defaultResolverConverter } from './baseline.js';
import { contextFor, isolatedEnv } from '../stack/test/support/stack-cli.js';
import { deltaStep, LatencyProbe, putConnectorConfig, stackCpu } from './deltas.js';
import { percentile, WARM_UP } from './lib.js';

const env = await isolatedEnv('.stack/exp');
const ctx = { ...contextFor(env), say: () => undefined };
await up(ctx, []);
const cfg = ctx.cfg;
const seeder = `http://127.0.0.1:${cfg.env.SEEDER_PORT}`;
await fetch(`${seeder}/full-load?wait=true`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ customers: 20000, products: 3000, orders: 50000, seed: 3 }),
});
// Every variant starts with CDC caught up with the load.
const db = superuserClient(cfg, cfg.env.PG_DATABASE);
await db.connect();
await waitForCapture(db, 300_000);
await db.end();
const decoder = createDecoder(`http://127.0.0.1:${cfg.env.REGISTRY_PORT}/apis/ccompat/v7`);
const probe = new LatencyProbe([`127.0.0.1:${cfg.env.KAFKA_PORT}`], tables.map(topicOf), decoder);
await probe.start();
const cpu = () => stackCpu(ctx);
// Warmed as the full bench's ladder is: the variants' JVMs are past their first minutes.
await deltaStep(seeder, WARM_UP.rate, WARM_UP.seconds, { cpu });
const base = { ...connector.template };
const fill = (c: Record<string, string>) =>
  JSON.parse(
    JSON.stringify(c).replace(
      /\$\{(\w+)\}/g,
      (_, k: string) =>
        (({ CONNECT_PG_HOST: '127.0.0.1', CONNECT_PG_PORT: String(cfg.env.PG_PORT) }) as Record<string, string>)[k] ??
        cfg.raw[k] ??
        '',
    ),
  );
const variants: [string, Record<string, string>][] = JSON.parse(process.argv[2] ?? '[]');
const rate = Number(process.argv[3] ?? 1000);
const registry = `http://127.0.0.1:${cfg.env.REGISTRY_PORT}/apis/registry/v2`;
/** "connect 118 us, kafka 60 us": each component's CPU time per row change. */
const perChange = (s: { cpuPercent: Record<string, number>; achieved: number }) =>
  Object.entries(s.cpuPercent)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    // CPU share (percent of a core) / changes per second = CPU time per change.
    .map(([k, v]) => `${k} ${((v / 100 / s.achieved) * 1e6).toFixed(0)} us`)
    .join(', ');
for (const [label, variant] of [['as committed', {}] as [string, Record<string, string>], ...variants]) {
  const { '@default-resolver': defaultResolver, ...over } = variant;
  const converter = defaultResolver === 'true' ? defaultResolverConverter(registry) : {};
  await putConnectorConfig(cfg, { ...fill({ ...base, ...over }), ...converter });
  await new Promise((r) => setTimeout(r, 12_000)); // settle: 15 s after the PUT, as before
  const s = await deltaStep(seeder, rate, 15, { latency: probe, cpu });
  console.log(
    `${label}: achieved ${s.achieved.toFixed(0)}/s p50 ${percentile(s.latencies, 50)} p90 ${percentile(s.latencies, 90)} p99 ${percentile(s.latencies, 99)} max ${s.latencies.at(-1)} n=${s.latencies.length}; CPU per change: ${perChange(s)}`,
  );
}
await probe.stop();
await down(ctx, { wipe: true });
process.exit(0);
