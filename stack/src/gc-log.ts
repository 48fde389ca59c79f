/**
 * The stack's JVMs log their garbage-collection pauses (dockerless only: -Xlog:gc, one file per
 * JVM in the logs folder); this reads them back for a time window, so a latency tail can be set
 * beside the pauses that may explain it (the bench prints both).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { StackConfig } from './config.js';

export const gcLogFile = (cfg: StackConfig, jvm: string) => path.join(cfg.dirs.logs, `${jvm}-gc.log`);

/** Unified logging to that file, with wall-clock time on every line; two files of 10 MB at most. */
export const gcLogOptions = (cfg: StackConfig, jvm: string) => [
  `-Xlog:gc:file=${gcLogFile(cfg, jvm)}:time:filecount=2,filesize=10m`,
];

export interface GcPauses {
  count: number;
  totalMs: number;
  maxMs: number;
  /** The longest pause's kind, e.g. "Pause Young (Allocation Failure)". */
  maxKind: string | null;
}

// [2026-11-29T23:50:01.123+0000] GC(3) Pause Young (Allocation Failure) 50M->20M(128M) 12.345ms
const PAUSE =
  /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})([+-]\d\d)(\d\d)\] GC\(\d+\) (Pause .*?) \S+->\S+ (\d+(?:\.\d+)?)ms$/;

/** The pauses logged between `from` and `to` (epoch ms) in a GC log's text. */
export function gcPauses(text: string, from: number, to: number): GcPauses {
  const out: GcPauses = { count: 0, totalMs: 0, maxMs: 0, maxKind: null };
  for (const line of text.split('\n')) {
    const m = PAUSE.exec(line.trim());
    if (!m) continue;
    const at = Date.parse(`${m[1]}${m[2]}:${m[3]}`);
    if (at < from || at > to) continue;
    const ms = Number(m[5]);
    out.count++;
    out.totalMs += ms;
    if (ms > out.maxMs) {
      out.maxMs = ms;
      out.maxKind = m[4]!;
    }
  }
  return out;
}

/** Each JVM's pauses in the window, read from its log (and the one rotated before it). */
export function readGcPauses(cfg: StackConfig, jvms: string[], from: number, to: number): Record<string, GcPauses> {
  return Object.fromEntries(
    jvms.map((jvm) => {
      const file = gcLogFile(cfg, jvm);
      const text = [`${file}.0`, file]
        .filter((f) => existsSync(f))
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      return [jvm, gcPauses(text, from, to)];
    }),
  );
}
