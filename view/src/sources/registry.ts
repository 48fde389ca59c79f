/** The registry through its Confluent-compatible API: subjects, versions, schemas, compatibility. */
import { getJson, HttpFailure } from './http.js';

export interface SchemaVersion {
  version: number;
  id: number;
  /** The schema as the registry stores it (Avro JSON). */
  schema: string;
}
export interface Subject {
  name: string;
  /** Its own level, or the global one when it has none. */
  compatibility: string;
  compatibilityIsGlobal: boolean;
  versions: SchemaVersion[];
}

const enc = encodeURIComponent;

export const listSubjects = (registryUrl: string) => getJson<string[]>(`${registryUrl}/subjects`);

async function compatibility(registryUrl: string, subject?: string): Promise<string | null> {
  try {
    const c = await getJson<{ compatibilityLevel?: string; compatibility?: string }>(
      `${registryUrl}/config${subject ? `/${enc(subject)}` : ''}`,
    );
    return c.compatibilityLevel ?? c.compatibility ?? null;
  } catch (err) {
    // A subject without a level of its own: 404 (Confluent's 40408).
    if (subject && err instanceof HttpFailure && err.status === 404) return null;
    throw err;
  }
}

/** Every subject with every version, newest first; `only` narrows it to the subjects named. */
export async function describeSubjects(registryUrl: string, only?: (subject: string) => boolean): Promise<Subject[]> {
  const global = (await compatibility(registryUrl)) ?? 'BACKWARD';
  const names = (await listSubjects(registryUrl)).filter((s) => !only || only(s)).sort();
  return Promise.all(
    names.map(async (name) => {
      const versions = await getJson<number[]>(`${registryUrl}/subjects/${enc(name)}/versions`);
      const own = await compatibility(registryUrl, name);
      return {
        name,
        compatibility: own ?? global,
        compatibilityIsGlobal: own === null,
        versions: await Promise.all(
          [...versions]
            .sort((a, b) => b - a)
            .map(async (v) => {
              const s = await getJson<{ id: number; version: number; schema: string }>(
                `${registryUrl}/subjects/${enc(name)}/versions/${v}`,
              );
              return { version: s.version, id: s.id, schema: s.schema };
            }),
        ),
      };
    }),
  );
}
