import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../src/components/kafka.js';

describe('newClusterId', () => {
  it('is a 16-byte URL-safe base64 id that the storage tool cannot take for an option', () => {
    // One id in 64 would start with "-" otherwise: in 5000 draws, that case comes up.
    const ids = Array.from({ length: 5000 }, newClusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(Buffer.from(ids[0]!, 'base64url')).toHaveLength(16);
  });
});
