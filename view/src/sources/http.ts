/** JSON over HTTP with a timeout, and a failure that says which endpoint and why, in one line. */
export class Unreachable extends Error {}

export async function getJson<T>(url: string, init: RequestInit = {}, timeoutMs = 3_000): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Unreachable(`${url} does not answer (${cause ?? (err as Error).message})`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: the text as it came
    }
    throw new HttpFailure(res.status, `${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${message}`.trim());
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The endpoint answered, with an error status. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
