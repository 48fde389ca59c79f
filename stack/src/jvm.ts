/**
 * Heap and GC settings of the stack's JVMs, in one place, sized for a laptop: the three
 * long-running JVMs together stay well under a gigabyte when idle.
 *
 * Serial GC: one or two cores, small heaps; G1's concurrent threads and regions cost more memory
 * than they save pause time here. Small code cache, stacks and direct memory: playground loads.
 */
const common = [
  '-XX:+UseSerialGC',
  '-XX:ReservedCodeCacheSize=64m',
  '-Xss512k',
  '-XX:MaxDirectMemorySize=64m',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

export const jvmOptions = {
  /** The broker: its log cleaner buffer is set small in server.properties. */
  kafka: ['-Xms64m', '-Xmx256m', ...common],
  /** Apicurio Registry (Quarkus). */
  registry: ['-Xms64m', '-Xmx192m', ...common],
  /** Kafka Connect: the Debezium task's queue and the producer's buffers live here. */
  connect: ['-Xms128m', '-Xmx384m', ...common],
  /** Short-lived tools (Flyway, storage format): start fast, exit. */
  tool: ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xss512k'],
};

/** glibc keeps one malloc arena per core and thread group; two are enough and save RSS. */
export const jvmEnv = { MALLOC_ARENA_MAX: '2' };
