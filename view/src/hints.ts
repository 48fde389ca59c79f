/** What to run to bring a component back, on the path the view runs on. */
export const componentNames = ['postgres', 'seeder', 'kafka', 'registry', 'connect', 'connector'] as const;
export type ComponentName = (typeof componentNames)[number];

export const componentLabels: Record<ComponentName, string> = {
  postgres: 'PostgreSQL',
  seeder: 'Seeder API',
  kafka: 'Kafka',
  registry: 'Schema registry',
  connect: 'Kafka Connect',
  connector: 'Debezium connector',
};

const layerOf: Record<ComponentName, 'source' | 'streaming'> = {
  postgres: 'source',
  seeder: 'source',
  kafka: 'streaming',
  registry: 'streaming',
  connect: 'streaming',
  connector: 'streaming',
};

export function upCommand(component: ComponentName, runsIn: 'local' | 'compose'): string {
  if (runsIn === 'local') return `npm run stack -- up ${layerOf[component]}`;
  const file = `docker-compose.${layerOf[component]}.yaml`;
  // connect-init is the one-shot that registers the connector (it is not `-d`: it exits).
  if (component === 'connector') return `docker compose -f ${file} up connect-init`;
  return `docker compose -f ${file} up -d ${component}`;
}
