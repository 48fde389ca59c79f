/**
 * Decodes Confluent wire-format Avro (magic byte 0, 4-byte schema id, Avro body) with schemas
 * fetched by id from a Confluent-compatible registry (Apicurio's /apis/ccompat/v7). Any
 * Confluent client does the same; this one is what the tests and `stack events` use.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { TimeoutMiddleware } from 'mappersmith/middleware/timeout';

/**
 * Debezium's decimal.handling.mode=precise writes numeric columns as Avro `bytes` with the
 * `decimal` logical type (big-endian two's-complement unscaled value). Rendered as a plain
 * decimal string, exactly as PostgreSQL prints numeric(p,s), so nothing is lost to floats.
 */
export class DecimalType extends avro.types.LogicalType {
  private readonly scale: number;

  constructor(attrs: avro.Schema & { scale?: number }, opts?: avro.ForSchemaOptions) {
    super(attrs, opts);
    this.scale = attrs.scale ?? 0;
  }

  override _fromValue(buf: Buffer): string {
    let n = 0n;
    for (const byte of buf) n = (n << 8n) | BigInt(byte);
    if (buf.length > 0 && (buf[0]! & 0x80) !== 0) n -= 1n << BigInt(buf.length * 8);
    const negative = n < 0n;
    const digits = (negative ? -n : n).toString().padStart(this.scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.scale);
    const frac = this.scale > 0 ? `.${digits.slice(digits.length - this.scale)}` : '';
    return `${negative ? '-' : ''}${whole}${frac}`;
  }

  override _toValue(value: string): Buffer {
    const [w, f = ''] = value.replace('-', '').split('.');
    let n = BigInt(`${w}${f.padEnd(this.scale, '0').slice(0, this.scale)}`);
    if (value.startsWith('-')) n = -n;
    // The fewest bytes whose top bit still carries the sign (0x00 before 0xe8..., 0xff before 0x7f...).
    const bytes: number[] = [];
    do {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (!(n === 0n && (bytes[0]! & 0x80) === 0) && !(n === -1n && (bytes[0]! & 0x80) !== 0));
    return Buffer.from(bytes);
  }

  override _resolve(type: avro.Type) {
    if (avro.Type.isType(type, 'bytes', 'logical:decimal')) return (x: unknown) => x;
    return undefined;
  }
}

/**
 * Avro longs as JavaScript numbers while they are exact, as decimal strings beyond 2^53 (LSNs
 * and transaction ids can be), instead of avsc's default of refusing to decode them.
 */
const exactLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const n = buf.readBigInt64LE();
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
  },
  toBuffer: (n: number | string) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (n: number | string) => n,
  toJSON: (n: number | string) => n,
  isValid: (n: unknown) => typeof n === 'number' || (typeof n === 'string' && /^-?\d+$/.test(n)),
  compare: (a: number | string, b: number | string) => (BigInt(a) === BigInt(b) ? 0 : BigInt(a) < BigInt(b) ? -1 : 1),
});

export function createDecoder(registryUrl: string) {
  const registry = new SchemaRegistry(
    // A request the registry never answers fails after 10 s instead of stalling the consumer that
    // waits on it: mappersmith sets no timeout by default (decode asks again, below). (The cast bridges
    // mappersmith's ESM typings, which we import, and the CJS ones the registry client uses.)
    { host: registryUrl, middlewares: [TimeoutMiddleware(10_000) as never] },
    {
      [SchemaType.AVRO]: {
        logicalTypes: { decimal: DecimalType },
        // A getter: avsc records named types in the registry, so every schema needs a fresh one.
        get registry() {
          return { long: exactLong };
        },
      } as never,
    },
  );
  const type = async (id: number) => (await registry.getSchema(id)) as unknown as avro.Type;
  const latest = new Map<string, Promise<{ id: number; type: avro.Type }>>();
  const resolvers = new Map<string, avro.Resolver | null>();
  return {
    /** null for a tombstone (a null value), else the decoded record. */
    async decode(buf: Buffer | null): Promise<Record<string, unknown> | null> {
      if (buf === null) return null;
      if (buf.length < 5 || buf[0] !== 0)
        throw new Error('not Confluent wire format (magic byte 0 + 4-byte schema id)');
      // A registry busy on two cores (a long GC pause, say) can miss one 10 s timeout: ask again
      // twice before giving up. The client caches a schema once it has it, so this is rare.
      for (let attempt = 1; ; attempt++) {
        try {
          return (await registry.decode(buf)) as Record<string, unknown>;
        } catch (err) {
          if (attempt >= 3 || !/Timeout/.test((err as Error).message)) throw err;
        }
      }
    },
    /**
     * Decodes with the subject's latest schema as the reader schema (Avro schema resolution): a
     * record written before a field existed gets the field's default, as a consumer that keeps
     * the newest schema sees it. The latest schema is looked up once per decoder.
     */
    async decodeLatest(buf: Buffer | null, subject: string): Promise<Record<string, unknown> | null> {
      if (buf === null) return null;
      const writerId = buf.readUInt32BE(1);
      let reader = latest.get(subject);
      if (!reader) {
        reader = registry.getLatestSchemaId(subject).then(async (id) => ({ id, type: await type(id) }));
        latest.set(subject, reader);
      }
      const { id, type: readerType } = await reader;
      if (id === writerId) return this.decode(buf);
      const key = `${writerId}>${id}`;
      let resolver = resolvers.get(key);
      if (resolver === undefined) {
        try {
          resolver = readerType.createResolver(await type(writerId));
        } catch {
          // Not readable with the latest schema (a subject whose compatibility was switched off
          // for an incompatible change): the event as it was written.
          resolver = null;
        }
        resolvers.set(key, resolver);
      }
      if (resolver === null) return this.decode(buf);
      return readerType.fromBuffer(buf.subarray(5), resolver) as Record<string, unknown>;
    },
    schemaId: (buf: Buffer) => buf.readUInt32BE(1),
  };
}

export type Decoder = ReturnType<typeof createDecoder>;
