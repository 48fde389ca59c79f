/** Kafka Connect's REST API: the Debezium connector, its state and its tasks, and the three actions. */
import { getJson } from './http.js';

interface State {
  state: string;
  worker_id?: string;
  trace?: string;
}
interface Expanded {
  info: { name: string; config: Record<string, string>; type?: string };
  status: { name: string; connector: State; tasks: (State & { id: number })[]; type?: string };
}

export interface ConnectorInfo {
  name: string;
  state: string;
  trace: string | undefined;
  tasks: { id: number; state: string; trace: string | undefined }[];
  /** The settings the view reads: its tables, topics and slot are the connector's own. */
  topicPrefix: string;
  slot: string | undefined;
  /** schema.table, as in table.include.list. */
  tables: string[];
}

const DEBEZIUM_POSTGRES = 'io.debezium.connector.postgresql.PostgresConnector';

/** Every Debezium PostgreSQL connector registered (a playground has one), by name. */
export async function debeziumConnectors(connectUrl: string): Promise<ConnectorInfo[]> {
  const all = await getJson<Record<string, Expanded>>(`${connectUrl}/connectors?expand=info&expand=status`);
  return Object.values(all)
    .filter((c) => c.info.config['connector.class'] === DEBEZIUM_POSTGRES)
    .map((c) => ({
      name: c.info.name,
      state: c.status.connector.state,
      trace: c.status.connector.trace,
      tasks: c.status.tasks.map((t) => ({ id: t.id, state: t.state, trace: t.trace })).sort((a, b) => a.id - b.id),
      topicPrefix: c.info.config['topic.prefix'] ?? '',
      slot: c.info.config['slot.name'],
      tables: (c.info.config['table.include.list'] ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean)
        .map((t) => (t.includes('.') ? t : `public.${t}`)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const connectorActions = ['pause', 'resume', 'restart'] as const;
export type ConnectorAction = (typeof connectorActions)[number];

/**
 * Pause and resume are PUTs that return 202; restart (connector and tasks) is a POST. All three
 * are asynchronous in Connect: the state changes moments later.
 */
export async function connectorAction(connectUrl: string, name: string, action: ConnectorAction): Promise<void> {
  const base = `${connectUrl}/connectors/${encodeURIComponent(name)}`;
  if (action === 'restart') await getJson(`${base}/restart?includeTasks=true&onlyFailed=false`, { method: 'POST' });
  else await getJson(`${base}/${action}`, { method: 'PUT' });
}
