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
import { down, readyLines, status, up } from './stack.js';
import { tables } from '../../seeder/src/db/tables.js';

const usage = `usage: npm run stack -- <command>
  up [${Object.keys(layers).join('|')}...]   start layers as local processes (default: all); safe to repeat
  down [--wipe]                 stop what up started; --wipe deletes data and logs too
  status                        state, pid, port and memory of each component
  logs <component> [-n N] [-f]  print (or follow) a component's log
  events <table> [--from-beginning] [-n N]
                                a table's change events, decoded through the registry (live; -n N stops after N)
  subjects                      the registry's subjects and schema ids
  reset-cdc                     a fresh snapshot: stop the connector, delete its offsets, drop the slot, resume
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
      await logs(ctx, rest[0], Number(values.lines ?? 100), values.follow);
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
        limit: values.lines === undefined ? Infinity : Number(values.lines),
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
