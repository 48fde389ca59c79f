package io.storefront.playground.registry;

import io.apicurio.registry.resolver.DefaultSchemaResolver;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.generic.GenericContainer;

/**
 * Apicurio's {@link DefaultSchemaResolver} (2.6.x) behind a cache keyed by the record's Avro
 * schema <em>instance</em> and its artifact (topic and key/value under TopicIdStrategy).
 *
 * <p>Why: for every record, the default resolver turns the record's schema into JSON to look up
 * its ids. Its cache cannot answer before that: with TopicIdStrategy the artifact reference has
 * no version, and its coordinates index never matches one (ArtifactCoordinates' hashCode includes
 * the version its equals treats as a wildcard), so every lookup goes by content, a string of the
 * whole schema. That JSON was about a fifth of Kafka Connect's CPU under load here (profiled with
 * JFR). Connect's AvroData hands out one Avro schema instance per Connect schema (its own cache),
 * so a schema seen before is recognised by identity, with nothing serialised.
 *
 * <p>What stays the same: a schema not seen before (a new table, a schema change, a new instance
 * of an equal schema) goes to the default resolver, which registers it or finds it by content,
 * as before. An entry is trusted for apicurio.registry.check-period-ms (default 30 s), as the
 * default resolver trusts its own; then the default resolver is asked again, so a re-check of the
 * registry (and fault-tolerant-refresh when it is down) happens as often as without this class.
 *
 * <p>Plugged in with {@code value.converter.apicurio.registry.schema-resolver} (and key.converter)
 * in compose/connect/connect-distributed.properties; the jar lies beside the converter's jars, in
 * its plugin class loader. One instance per converter, so per task; the map is concurrent anyway,
 * as a plain producer may share a serializer between threads.
 */
public class IdentityCachingSchemaResolver<S, T> extends DefaultSchemaResolver<S, T> {

  /** More entries than this and the cache starts over: it holds schema versions x topics x 2. */
  static final int MAX_ENTRIES = 1_000;

  private final Map<Key, Entry<S>> cache = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private long lifetimeMillis;

  /** The converter instantiates it by class name: the public no-argument constructor. */
  public IdentityCachingSchemaResolver() {
    this(System::currentTimeMillis);
  }

  IdentityCachingSchemaResolver(LongSupplier clock) {
    this.clock = clock;
  }

  /** Called twice under AvroConverter (by its serializer, then its deserializer): idempotent. */
  @Override
  public void configure(Map<String, ?> configs, SchemaParser<S, T> schemaParser) {
    super.configure(configs, schemaParser);
    lifetimeMillis = config.getCheckPeriod().toMillis();
    cache.clear();
  }

  @Override
  public SchemaLookupResult<S> resolveSchema(Record<T> data) {
    // A strategy that reads the schema to name the artifact (RecordIdStrategy) would need the
    // parsed schema for the key; leave those, and anything that is not Avro, to the default.
    if (!(data.payload() instanceof GenericContainer container) || artifactResolverStrategy.loadSchema()) {
      return super.resolveSchema(data);
    }
    Key key = new Key(container.getSchema(), resolveArtifactReference(data, null, false, null));
    long now = clock.getAsLong();
    Entry<S> hit = cache.get(key);
    if (hit != null && now - hit.at < lifetimeMillis) {
      return hit.result;
    }
    SchemaLookupResult<S> result = super.resolveSchema(data);
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear();
    }
    cache.put(key, new Entry<>(result, now));
    return result;
  }

  @Override
  public void reset() {
    cache.clear();
    super.reset();
  }

  /**
   * The schema by identity (==), the artifact by its coordinates (ArtifactReferenceImpl's own
   * equals matches by ids first, which these references do not have).
   */
  private static final class Key {
    private final Object schema;
    private final String groupId;
    private final String artifactId;
    private final String version;
    private final int hash;

    Key(Object schema, ArtifactReference artifact) {
      this.schema = schema;
      this.groupId = artifact.getGroupId();
      this.artifactId = artifact.getArtifactId();
      this.version = artifact.getVersion();
      this.hash = 31 * System.identityHashCode(schema) + Objects.hash(groupId, artifactId, version);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.schema == schema
          && Objects.equals(k.groupId, groupId)
          && Objects.equals(k.artifactId, artifactId)
          && Objects.equals(k.version, version);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private record Entry<S>(SchemaLookupResult<S> result, long at) {}
}
