/** How change-event values are read and compared: contracts otherwise exercised only behind the JVM stack. */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { DecimalType } from '../../src/cdc/avro.js';
import { timestampMicros } from '../../src/cdc/replica.js';

describe('Avro decimals (decimal.handling.mode=precise)', () => {
  const numeric = avro.Type.forSchema(
    { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } as avro.Schema,
    { logicalTypes: { decimal: DecimalType } },
  );

  it('decodes big-endian two’s-complement unscaled bytes as PostgreSQL prints numeric(12,2)', () => {
    // 123456 = 0x01e240; -1 = 0xff. Avro bytes: a zig-zag length, then the bytes.
    expect(numeric.fromBuffer(Buffer.from([0x06, 0x01, 0xe2, 0x40]))).toBe('1234.56');
    expect(numeric.fromBuffer(Buffer.from([0x02, 0xff]))).toBe('-0.01');
    expect(numeric.fromBuffer(Buffer.from([0x02, 0x00]))).toBe('0.00');
  });

  it.each(['0.00', '0.05', '-0.05', '1.28', '-1.29', '3369.53', '-1234.50', '9999999999.99', '-9999999999.99'])(
    'round-trips %s exactly',
    (value) => {
      expect(numeric.fromBuffer(numeric.toBuffer(value))).toBe(value);
    },
  );
});

describe('timestampMicros', () => {
  it('reads PostgreSQL text and Debezium ISO-8601 as the same instant, to the microsecond', () => {
    const debezium = timestampMicros('2026-11-25T16:43:42.359517Z');
    expect(timestampMicros('2026-11-25 16:43:42.359517+00')).toBe(debezium);
    expect(timestampMicros('2026-11-25 18:43:42.359517+02')).toBe(debezium);
    expect(timestampMicros('2026-11-25 11:13:42.359517-05:30')).toBe(debezium);
    expect(debezium).toBe(String(Date.parse('2026-11-25T16:43:42.359Z') * 1000 + 517));
  });

  it('pads short fractions and tells a changed microsecond apart', () => {
    expect(timestampMicros('2026-11-25 16:43:42.5+00')).toBe(timestampMicros('2026-11-25T16:43:42.500000Z'));
    expect(timestampMicros('2026-11-25 16:43:42+00')).toBe(timestampMicros('2026-11-25T16:43:42Z'));
    expect(timestampMicros('2026-11-25T16:43:42.000001Z')).not.toBe(timestampMicros('2026-11-25T16:43:42Z'));
  });

  it('marks what it cannot parse instead of guessing', () => {
    expect(timestampMicros('yesterday')).toBe('unparsed:yesterday');
  });
});
