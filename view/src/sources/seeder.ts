/** The seeder API's delta generator: its status, and start/stop at a rate. */
import { getJson } from './http.js';

export interface DeltaStatus {
  state: 'stopped' | 'running' | 'paused' | 'waiting_for_database';
  settings: { ratePerSecond: number } | null;
  /** What the rate profile asks for now (a burst, a time of the compressed day); 0 when stopped. */
  targetRate: number;
  achievedRate: number;
  recentRate: number;
  rowChanges: number;
  errors: number;
  lastError: string | null;
}

export const deltaStatus = (seederUrl: string) => getJson<DeltaStatus>(`${seederUrl}/deltas`);

export const startDeltas = (seederUrl: string, ratePerSecond: number) =>
  getJson<DeltaStatus>(`${seederUrl}/deltas/start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ratePerSecond }),
  });

export const stopDeltas = (seederUrl: string) => getJson<DeltaStatus>(`${seederUrl}/deltas/stop`, { method: 'POST' });
