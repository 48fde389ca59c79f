/** Logging set-up shared by the seeder's entry point and the tests. */
import type { DestinationStream } from 'pino';

/** Paths redacted from every log line, whichever stream the lines go to. */
export const redactPaths = ['password', '*.password', 'req.headers.authorization'];

/**
 * A pino-pretty stream (human-readable lines) to `destination`, default stdout; undefined where
 * pino-pretty is not installed (the image has production dependencies only). In-process, not a
 * transport, so the logger's options, redaction included, stay as buildApp sets them.
 */
export async function prettyLogStream(destination?: NodeJS.WritableStream): Promise<DestinationStream | undefined> {
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ ...(destination ? { destination, sync: true } : {}), colorize: !destination });
  } catch {
    return undefined;
  }
}
