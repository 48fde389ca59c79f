/**
 * The baseline a tutorial user would get (issue #14, goal 5): the same stack with Debezium's and
 * Kafka Connect's defaults for what this playground tunes, applied to the running connector as a
 * connector-level override, so the bench measures both in one run on one stack.
 *
 * What we tune, and the default it goes back to:
 * - poll.interval.ms (the connector template: 20 ms): Debezium's default, 500 ms.
 * - the converter's schema resolver (the worker config: ours, cached by schema identity):
 *   Apicurio's DefaultSchemaResolver. The rest of the converter settings stay: they are the
 *   wire format (Confluent framing), which every consumer here decodes, not a tuning.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../stack/src/config.js';

/** The connector's tuned settings, each with the default a tutorial user has. */
export const TUNED_CONNECTOR_SETTINGS: Readonly<Record<string, string>> = { 'poll.interval.ms': '500' };

/** Lines of the worker config that tune rather than define the format. */
const TUNED_CONVERTER_SETTING = /\.apicurio\.registry\.schema-resolver$/;

const workerConfig = path.join(ROOT, 'compose', 'connect', 'connect-distributed.properties');

/** The worker's key and value converter settings (later lines win), as a connector would override them. */
export function workerConverterSettings(registryUrl: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(workerConfig, 'utf8').split('\n')) {
    const m = /^((?:key|value)\.converter(?:\.[^=]+)?)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  for (const key of Object.keys(out)) if (key.endsWith('.apicurio.registry.url')) out[key] = registryUrl;
  return out;
}

/** The converter as the worker configures it, but with Apicurio's default schema resolver. */
export function defaultResolverConverter(registryUrl: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(workerConverterSettings(registryUrl)).filter(([k]) => !TUNED_CONVERTER_SETTING.test(k)),
  );
}

/** The running connector's config with the tutorial user's defaults for what we tune. */
export function tutorialConfig(current: Record<string, string>, registryUrl: string): Record<string, string> {
  return { ...current, ...TUNED_CONNECTOR_SETTINGS, ...defaultResolverConverter(registryUrl) };
}
