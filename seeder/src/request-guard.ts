/**
 * What keeps a web page elsewhere from acting through our ports (the seeder's API and the pipeline
 * view, both on 127.0.0.1): an onRequest hook both servers register.
 *
 * - DNS rebinding: a page whose name is rebound to 127.0.0.1 is same-origin for the browser, but its
 *   requests still carry its own name in Host. Only our names are answered: 127.0.0.1, localhost,
 *   [::1], the compose service name, and HTTP_ALLOWED_HOSTS. The port is not checked: an attacker's
 *   URL must carry the port we listen on to reach us at all, and compose publishes ours on another
 *   port than the container's (SEEDER_PORT on the host, 8000 inside).
 * - Cross-site requests: a state-changing request (anything but GET, HEAD, OPTIONS) is refused when
 *   its Origin is present and not this origin (`null`, from a sandboxed frame or a file, included),
 *   or when the browser says Sec-Fetch-Site: cross-site. Plain curl sends neither, and keeps working.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** Names every server of ours answers to, besides its compose service name. */
export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** .env's HTTP_ALLOWED_HOSTS: more host names (no ports), comma-separated; for a reverse proxy or a LAN name. */
export const AllowedHosts = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  .pipe(
    z.array(z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/, 'must be host names without ports, e.g. shop.lan')),
  );

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host name of a Host header or an origin's authority, lower-cased, without its port. */
export function hostName(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1);
  return a.replace(/:\d*$/, '');
}

export type Refusal = { status: 400 | 403; reason: string } | null;

/** Why a request must be refused, or null: the rules above, as a pure function. */
export function refusal(
  names: ReadonlySet<string>,
  request: { method: string; host: string | undefined; origin: string | undefined; fetchSite: string | undefined },
): Refusal {
  if (!request.host) return { status: 400, reason: 'refused: the request has no Host header' };
  if (!names.has(hostName(request.host)))
    return {
      status: 403,
      reason: `refused: Host "${request.host}" is not a name of this server (${[...names].join(', ')}; more in .env's HTTP_ALLOWED_HOSTS)`,
    };
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  if (request.fetchSite?.toLowerCase() === 'cross-site')
    return { status: 403, reason: 'refused: a cross-site request may not change anything here' };
  if (request.origin !== undefined) {
    let host: string | null = null;
    try {
      const url = new URL(request.origin);
      if (url.protocol === 'http:' || url.protocol === 'https:') host = url.host;
    } catch {
      host = null;
    }
    if (host === null || host.toLowerCase() !== request.host.toLowerCase())
      return { status: 403, reason: `refused: a ${request.method} from ${request.origin}, not from this page` };
  }
  return null;
}

/** Registers the guard on `app`: `serviceName` is the server's compose service name. */
export function guardRequests(app: FastifyInstance, serviceName: string, extraHosts: readonly string[]): void {
  const names = new Set<string>([...LOOPBACK_NAMES, serviceName, ...extraHosts]);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = (name: string) => {
      const v = request.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const refused = refusal(names, {
      method: request.method,
      host: header('host'),
      origin: header('origin'),
      fetchSite: header('sec-fetch-site'),
    });
    if (refused) {
      request.log.warn({ host: header('host'), origin: header('origin') }, refused.reason);
      return reply.code(refused.status).type('text/plain').send(refused.reason);
    }
  });
}
