import { describe, expect, it } from 'vitest';
import { gcPauses } from '../../src/gc-log.js';

// As JDK 17 and 25 write it with -Xlog:gc:file=...:time (Serial collector).
const log = `[2026-11-29T23:44:48.211+0000] Using Serial
[2026-11-29T23:44:49.449+0000] GC(0) Pause Young (Allocation Failure) 18M->4M(61M) 13.548ms
[2026-11-29T23:44:49.648+0000] GC(1) Pause Young (Allocation Failure) 21M->8M(61M) 16.901ms
[2026-11-29T23:44:49.651+0000] GC(2) Pause Young (Allocation Failure) 25M->7M(61M) 0.809ms
[2026-11-29T23:44:50.100+0000] GC(3) Pause Full (System.gc()) 24M->14M(61M) 48.250ms
`;

describe('gcPauses', () => {
  it('sums and finds the longest pause inside the window only', () => {
    const at = (t: string) => Date.parse(`2026-11-29T23:44:${t}Z`);
    expect(gcPauses(log, at('49.500'), at('50.000'))).toEqual({
      count: 2,
      totalMs: 16.901 + 0.809,
      maxMs: 16.901,
      maxKind: 'Pause Young (Allocation Failure)',
    });
    expect(gcPauses(log, at('00.000'), at('59.000'))).toMatchObject({
      count: 4,
      maxMs: 48.25,
      maxKind: 'Pause Full (System.gc())',
    });
    expect(gcPauses(log, at('51.000'), at('59.000'))).toEqual({ count: 0, totalMs: 0, maxMs: 0, maxKind: null });
  });

  it('reads other offsets than UTC', () => {
    const line = '[2026-11-30T00:44:49.449+0100] GC(0) Pause Young (Allocation Failure) 18M->4M(61M) 13.548ms';
    const at = Date.parse('2026-11-29T23:44:49.449Z');
    expect(gcPauses(line, at, at).count).toBe(1);
  });
});
