/**
 * The pipeline view's settings. It talks only to published endpoints, so where each one is comes
 * from whoever starts it: the dockerless stack (stack/src/components/view.ts) or the compose
 * service (docker-compose.streaming.yaml); a test checks that the two pass the same keys.
 */
import { z } from 'zod';
import { identifier, parseEnv, port, secret } from '../../seeder/src/config.js';
import { AllowedHosts } from '../../seeder/src/request-guard.js';

const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));

export const ViewEnv = z.object({
  VIEW_HOST: z.string().min(1).default('127.0.0.1'),
  VIEW_PORT: port.default(8090),
  /** More host names the view answers to (seeder/src/request-guard.ts); .env's, as the seeder's. */
  HTTP_ALLOWED_HOSTS: AllowedHosts,
  /** The source database, read with the view's own role (V7: SELECT and nothing else). */
  PG_HOST: z.string().min(1),
  PG_PORT: port,
  PG_DATABASE: identifier,
  VIEW_PG_USER: identifier.default('pipeline_view'),
  VIEW_PG_PASSWORD: secret,
  /** host:port[,host:port] */
  KAFKA_BOOTSTRAP: z.string().regex(/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/, 'must look like 127.0.0.1:9092'),
  /** The registry's Confluent-compatible API: .../apis/ccompat/v7 */
  REGISTRY_URL: url,
  CONNECT_URL: url,
  SEEDER_URL: url,
  /** Which commands a hint gives to bring a component back: the stack's or docker compose's. */
  VIEW_RUNS_IN: z.enum(['local', 'compose']).default('local'),
});
export type ViewEnv = z.infer<typeof ViewEnv>;

export const loadViewConfig = (env: NodeJS.ProcessEnv): ViewEnv => parseEnv(ViewEnv, env);
