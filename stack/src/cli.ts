/** npm run stack -- <command>: the dockerless playground (the usage text below lists the commands). */
import { existsSync, readdirSync, readFileSync, statSync, watchFile } from 'node:fs';
import { parseArgs } from 'node:util';
import { StackError, type Context } from './component.js';
import { ConfigError } from '../../seeder/src/config.js';
import { loadStackConfig } from './config.js';
import { allComponents, layers } from './layers.js';
import { logFile } from './processes.js';
import { createDecoder } from './cdc/avro.js';
import { printEvents } from './cdc/events.js';
import { topicOf } from './cdc/connector.js';
import { brokers } from './components/kafka.js';
import { ccompatUrl } from './components/registry.js';
import { listSubjects, resetCdc } from './operations.js';
import { verifyLines, verifyPipeline } from './cdc/verify.js';
import { lakehouseLines, verifyLakehouse } from './cdc/lakehouse.js';
import { scenarioRuns, scenarios } from './scenarios.js';
import { chaos, chaosLines, chaosTargets, type ChaosReport, type ChaosTarget } from './chaos.js';
import { superuserClient } from './components/postgres.js';
import { down, readyLines, selectLayers, status, up } from './stack.js';
import { doctor } from './doctor.js';
import { diffLines, downloadsPending, fetchAll, lock, sameLock } from './downloads.js';
import { tables } from '../../seeder/src/db/tables.js';

const usage = `usage: npm run stack -- <command>
  up [${Object.keys(layers).join('|')}...]   start layers as local processes (default: all); safe to repeat
  doctor                        check every prerequisite (Node.js, JDKs, Python, ports, disk); up checks them first
  fetch                         download and verify everything up and verify --lakehouse need, start nothing
                                (then up needs no network)
  lock [--check]                record the SHA-256 of every Maven artifact (jvm/checksums.sha256) from an empty
                                Maven repository, and compile the hashed Python locks (*.in -> *.txt);
                                --check: compare the lock with what Maven resolves now, write nothing (exit 1: differs)
  down [--wipe]                 stop what up started; --wipe deletes data and logs too
  status                        state, pid, port and memory of each component
  logs <component> [-n N] [-f]  print (or follow) a component's log
  events <table> [--from-beginning] [-n N]
                                a table's change events, decoded through the registry (live; -n N stops after N)
  subjects                      the registry's subjects and schema ids
  reset-cdc                     a fresh snapshot: stop the connector, delete its offsets, drop the slot, resume
  verify [--json] [--lakehouse] rebuild every table from its change events and compare with the source
                                (exit 0: equal, 1: they differ, 2: could not verify, e.g. the connector is paused);
                                --lakehouse: from the Iceberg change tables instead (read with pyiceberg)
  scenario <${scenarios.join('|')}>
                                apply a change that is not part of the baseline (scenarios/<name>/) to the running playground
  chaos <${chaosTargets.join('|')}|all> [--rate N] [--seconds S]
                                deltas at N/s (200) for S s (30); SIGKILL the component after S/3, bring it
                                back as up does, then verify: downtime, recovery, changes lost, duplicates
components: ${allComponents()
  .map((c) => c.name)
  .join(', ')}
tables: ${tables.join(', ')}`;

const say = (message: string) => process.stdout.write(`stack: ${message}\n`);

async function logs(ctx: Context, name: string | undefined, lines: number, follow: boolean): Promise<void> {
  const known = [
    ...allComponents().map((c) => c.name),
    ...(existsSync(ctx.cfg.dirs.logs) ? readdirSync(ctx.cfg.dirs.logs).map((f) => f.replace(/\.log$/, '')) : []),
  ];
  if (!name || !known.includes(name))
    throw new StackError('stack', `logs needs one of: ${[...new Set(known)].join(', ')}`);
  const file = logFile(ctx.cfg, name);
  if (!existsSync(file)) {
    say(`${name} has no log yet (${file})`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  process.stdout.write(`${text.trimEnd().split('\n').slice(-lines).join('\n')}\n`);
  if (!follow) return;
  let offset = Buffer.byteLength(text);
  watchFile(file, { interval: 300 }, () => {
    const size = statSync(file).size;
    if (size < offset) offset = 0;
    if (size === offset) return;
    const buf = readFileSync(file).subarray(offset, size);
    offset = size;
    process.stdout.write(buf);
  });
  await new Promise(() => undefined);
}

/** -n N: a whole number of lines or events, 1 or more. */
function count(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new StackError('stack', `${flag} takes a whole number of 1 or more, not "${value}"`, 'e.g. -n 20');
  return n;
}

function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new StackError('stack', `${flag} takes a positive number, not "${value}"`);
  return n;
}

/** Exit 0 when nothing was lost in any run, 1 otherwise. */
async function runChaos(ctx: Context, target: string | undefined, rate: number, seconds: number): Promise<number> {
  const targets: readonly string[] = chaosTargets;
  if (target !== 'all' && (target === undefined || !targets.includes(target)))
    throw new StackError(
      'chaos',
      `chaos needs one of: ${chaosTargets.join(', ')}, all`,
      'e.g. npm run stack -- chaos connect',
    );
  const reports: ChaosReport[] = [];
  for (const t of target === 'all' ? chaosTargets : [target as ChaosTarget]) {
    const report = await chaos(ctx, t, { rate, seconds });
    for (const line of chaosLines(report)) process.stdout.write(`${line}\n`);
    reports.push(report);
  }
  if (reports.length > 1) {
    const lost = reports.reduce((n, r) => n + r.lost, 0);
    process.stdout.write(`${reports.length} components killed one after another; changes lost in all: ${lost}\n`);
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

/** Exit 0 when the replica equals the source, 1 when it differs, 2 when it could not be checked. */
async function verify(ctx: Context, json: boolean, lakehouse: boolean): Promise<number> {
  const db = superuserClient(ctx.cfg, ctx.cfg.env.PG_DATABASE);
  try {
    await db.connect();
  } catch (err) {
    throw new StackError('verify', `PostgreSQL does not answer: ${(err as Error).message}`, 'npm run stack -- status');
  }
  try {
    if (lakehouse) {
      if (!json) say('waiting until Debezium has confirmed every change and the lakehouse sink has consumed them');
      const report = await verifyLakehouse(ctx, db);
      if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else for (const line of lakehouseLines(report)) process.stdout.write(`${line}\n`);
      return report.ok ? 0 : 1;
    }
    if (!json) say('waiting until Debezium has confirmed every change committed so far');
    const report = await verifyPipeline(ctx.cfg, db);
    if (json) {
      const { ok, catchUpSeconds, tables } = report;
      process.stdout.write(`${JSON.stringify({ ok, catchUpSeconds, tables }, null, 2)}\n`);
    } else {
      for (const line of verifyLines(report)) process.stdout.write(`${line}\n`);
    }
    return report.ok ? 0 : 1;
  } catch (err) {
    if (!(err instanceof StackError)) throw err;
    if (json) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: err.message, hint: err.hint }, null, 2)}\n`);
    } else {
      process.stderr.write(`stack: could not verify: ${err.message}\n${err.hint ? `what to try: ${err.hint}\n` : ''}`);
    }
    return 2;
  } finally {
    await db.end();
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      wipe: { type: 'boolean', default: false },
      follow: { type: 'boolean', short: 'f', default: false },
      lines: { type: 'string', short: 'n' },
      help: { type: 'boolean', short: 'h', default: false },
      'from-beginning': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      lakehouse: { type: 'boolean', default: false },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      check: { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return command || values.help ? 0 : 2;
  }
  const ctx: Context = { cfg: loadStackConfig(), say };
  switch (command) {
    case 'up':
      await up(ctx, rest);
      for (const line of readyLines(ctx.cfg, rest)) say(line);
      return 0;
    case 'doctor': {
      const layerNames = selectLayers(rest);
      const ok = await doctor(ctx, layerNames, downloadsPending(ctx.cfg));
      say(ok ? 'every prerequisite of up is there' : 'up cannot start until the MISSING lines are fixed');
      return ok ? 0 : 1;
    }
    case 'fetch': {
      const started = Date.now();
      const dirs = await fetchAll(ctx);
      say(`fetched and verified in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dirs.join(', ')}`);
      say('up needs no network now');
      return 0;
    }
    case 'lock': {
      say(
        values.check
          ? 'comparing jvm/checksums.sha256 with what Maven resolves now (from your Maven repository)'
          : 'recording every Maven artifact from an empty Maven repository (downloads everything once; a few minutes)',
      );
      const diff = await lock(ctx, { check: values.check });
      for (const line of diffLines(diff)) process.stdout.write(`${line}\n`);
      if (values.check) {
        say(sameLock(diff) ? 'the lock matches' : `the lock differs: run npm run stack -- lock`);
        return sameLock(diff) ? 0 : 1;
      }
      say(
        `wrote jvm/checksums.sha256${sameLock(diff) ? ' (unchanged)' : ''} and the Python locks; review git diff and commit them`,
      );
      return 0;
    }
    case 'down':
      await down(ctx, { wipe: values.wipe });
      say('down');
      return 0;
    case 'status': {
      const rows = await status(ctx);
      const width = Math.max(...rows.map((r) => r.name.length));
      for (const r of rows) {
        const cells = [
          r.name.padEnd(width),
          r.state.padEnd(8),
          (r.pid ? `pid ${r.pid}` : '').padEnd(10),
          (r.port ? `127.0.0.1:${r.port}` : '').padEnd(16),
          (r.memoryMiB !== undefined ? `${r.memoryMiB} MiB` : '').padStart(8),
          r.detail ?? '',
        ];
        process.stdout.write(`${cells.join('  ').trimEnd()}\n`);
      }
      const total = rows.reduce((sum, r) => sum + (r.memoryMiB ?? 0), 0);
      if (total > 0) process.stdout.write(`${'total memory (PSS)'.padEnd(width + 42)}${`${total} MiB`.padStart(8)}\n`);
      return 0;
    }
    case 'logs':
      await logs(ctx, rest[0], count('-n', values.lines, 100), values.follow);
      return 0;
    case 'events': {
      const table = rest[0];
      if (!table) throw new StackError('events', 'events needs a table, e.g. npm run stack -- events orders');
      if (!(tables as readonly string[]).includes(table))
        throw new StackError('events', `unknown table "${table}"`, `one of: ${tables.join(', ')}`);
      await printEvents({
        brokers: brokers(ctx.cfg),
        topic: topicOf(table),
        decoder: createDecoder(ccompatUrl(ctx.cfg)),
        fromBeginning: values['from-beginning'],
        // Live events run until Ctrl-C; -n N stops after N.
        limit: count('-n', values.lines, Infinity),
        write: (line) => process.stdout.write(`${line}\n`),
      });
      return 0;
    }
    case 'subjects':
      for (const line of await listSubjects(ctx.cfg)) process.stdout.write(`${line}\n`);
      return 0;
    case 'reset-cdc':
      await resetCdc(ctx);
      return 0;
    case 'verify':
      return verify(ctx, values.json, values.lakehouse);
    case 'scenario': {
      const name = rest[0];
      if (!name || !Object.hasOwn(scenarioRuns, name))
        throw new StackError(
          'scenario',
          `scenario needs one of: ${scenarios.join(', ')}${name ? `, not "${name}"` : ''}`,
          `e.g. npm run stack -- scenario ${scenarios[0]}`,
        );
      for (const line of await scenarioRuns[name as keyof typeof scenarioRuns](ctx)) process.stdout.write(`${line}\n`);
      return 0;
    }
    case 'chaos':
      return runChaos(
        ctx,
        rest[0],
        positiveNumber('--rate', values.rate, 200),
        positiveNumber('--seconds', values.seconds, 30),
      );
    default:
      process.stderr.write(`unknown command "${command}"\n${usage}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StackError) {
      process.stderr.write(`\nstack: ${err.component} failed: ${err.message}\n`);
      if (err.logTail) process.stderr.write(`--- last lines of the ${err.component} log ---\n${err.logTail}\n---\n`);
      if (err.hint) process.stderr.write(`what to try: ${err.hint}\n`);
    } else if (err instanceof ConfigError) {
      process.stderr.write(`stack: ${err.message}\nFix .env (or the environment) and run again.\n`);
    } else {
      process.stderr.write(`stack: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exit(1);
  },
);
