/**
 * Seeded randomness for the generators. Per-row faker calls are far too slow for bulk loads, so
 * rows are drawn with a small fast PRNG from word lists (word-lists.ts). Every stream is derived from
 * (seed, purpose, index), so a chunk of rows is a pure function of its inputs: the same seed gives
 * the same data whatever order or thread the chunks are generated in.
 */

/** splitmix32 finaliser: a well-mixed 32-bit hash of a 32-bit input. */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Hash of several integers (seed, purpose, index, ...) into one 32-bit value. */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    // Split doubles above 2^32 (large ids) so no bits are lost.
    h = mix32(h ^ (p >>> 0));
    const high = Math.floor(p / 4294967296);
    if (high !== 0) h = mix32(h ^ (high >>> 0));
  }
  return h;
}

/** Uniform in [0, 1) from a hash: for one-off per-index decisions without a stream. */
export function unit(...parts: number[]): number {
  return hash32(...parts) / 4294967296;
}

/** Streams are numbered, not named, so hashing them costs nothing per row. */
export const Stream = {
  customers: 1,
  products: 3,
  orders: 5,
  customerZones: 7,
  customerStates: 9,
} as const;

/** sfc32: a fast 32-bit PRNG with 128 bits of state; good enough for test data, not for secrets. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seedParts: number[]) {
    this.a = hash32(...seedParts, 1);
    this.b = hash32(...seedParts, 2);
    this.c = hash32(...seedParts, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }

  /** A string of digits from a faker-style pattern: '#' is a digit. */
  digits(pattern: string): string {
    let out = '';
    for (const ch of pattern) out += ch === '#' ? String(Math.floor(this.next() * 10)) : ch;
    return out;
  }
}
