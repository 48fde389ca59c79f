/**
 * Which backend the integration and end-to-end tests run on; the assertions are the same on both.
 *
 * - `local`: the dockerless stack (npm run stack), here and in this repository's CI.
 * - `docker`: testcontainers; PostgreSQL from the postgres image for the integration tests, the
 *   project's own two compose files for the end-to-end tests.
 *
 * Chosen automatically: `docker` when a container runtime answers, else `local`. Forced with
 * STOREFRONT_TEST_BACKEND=docker|local; forcing `docker` where no runtime answers is an error.
 */
export const BACKEND_VARIABLE = 'STOREFRONT_TEST_BACKEND';
export const backendNames = ['local', 'docker'] as const;
export type BackendName = (typeof backendNames)[number];

declare module 'vitest' {
  export interface ProvidedContext {
    /** Provided by each project's global setup (global-postgres.ts, global-backend.ts). */
    backend: BackendName;
  }
}

export interface BackendChoice {
  name: BackendName;
  /** Why this one, for the line the run prints. */
  reason: string;
}

/** Resolves when a container runtime answers; rejects (with why) when none does. */
export type RuntimeProbe = () => Promise<unknown>;

/** testcontainers' own discovery: DOCKER_HOST, ~/.testcontainers.properties, the usual sockets. */
export const testcontainersProbe: RuntimeProbe = async () => {
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient();
};

/**
 * Chosen automatically, a runtime that does not answer within this time counts as absent (a
 * DOCKER_HOST pointing nowhere); forced, it gets longer, as a slow daemon is still the one wanted.
 */
export const PROBE_TIMEOUT_MS = 900;
export const FORCED_PROBE_TIMEOUT_MS = 10_000;

async function probeRuntime(probe: RuntimeProbe, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), timeout]);
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    clearTimeout(timer);
  }
}

export async function chooseBackend(
  env: NodeJS.ProcessEnv = process.env,
  probe: RuntimeProbe = testcontainersProbe,
  timeoutMs?: number,
): Promise<BackendChoice> {
  const forced = env[BACKEND_VARIABLE]?.trim() || undefined;
  if (forced !== undefined && !(backendNames as readonly string[]).includes(forced))
    throw new Error(`${BACKEND_VARIABLE}=${forced} is not a test backend; use one of: ${backendNames.join(', ')}`);
  if (forced === 'local') return { name: 'local', reason: `${BACKEND_VARIABLE}=local` };
  const absent = await probeRuntime(probe, timeoutMs ?? (forced ? FORCED_PROBE_TIMEOUT_MS : PROBE_TIMEOUT_MS));
  if (forced === 'docker') {
    if (absent === undefined) return { name: 'docker', reason: `${BACKEND_VARIABLE}=docker` };
    throw new Error(
      `${BACKEND_VARIABLE}=docker, but no container runtime answers (${absent}). ` +
        'Start Docker (or point DOCKER_HOST at a running daemon), or run the dockerless backend: ' +
        `${BACKEND_VARIABLE}=local npm test`,
    );
  }
  return absent === undefined
    ? { name: 'docker', reason: 'a container runtime answers' }
    : { name: 'local', reason: `no container runtime answers: ${absent}` };
}

/** The line every run prints, so a log always says which path was proven. */
export const describeChoice = (project: string, choice: BackendChoice) =>
  `${project} tests: backend ${choice.name} (${choice.reason})`;
