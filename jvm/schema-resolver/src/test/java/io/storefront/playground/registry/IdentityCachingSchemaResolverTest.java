package io.storefront.playground.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.apicurio.registry.resolver.DefaultSchemaResolver;
import io.apicurio.registry.resolver.ParsedSchema;
import io.apicurio.registry.resolver.SchemaLookupResult;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.rest.v2.beans.ArtifactMetaData;
import io.apicurio.registry.serde.avro.AvroSchemaParser;
import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import io.apicurio.registry.serde.data.KafkaSerdeMetadata;
import io.apicurio.registry.serde.data.KafkaSerdeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resolver with Apicurio's own Avro schema parser and TopicIdStrategy, against a registry
 * faked in memory (a proxy of RegistryClient that answers createArtifact as the registry does:
 * one content id per distinct schema text, one global id per artifact and content). It counts
 * the registry calls and the schema-to-JSON conversions (the parser's getSchemaFromData).
 */
class IdentityCachingSchemaResolverTest {

  private static final String ORDER = """
      {"type": "record", "name": "Value", "namespace": "storefront.public.orders", "fields": [
        {"name": "id", "type": "long"}, {"name": "status", "type": "string"}]}""";
  private static final String ORDER_V2 = ORDER.replace(
      "\"string\"}]", "\"string\"}, {\"name\": \"note\", \"type\": \"string\", \"default\": \"\"}]");
  private static final long CHECK_PERIOD_MS = 30_000;

  private final List<String> created = new ArrayList<>();
  private final AtomicInteger toJson = new AtomicInteger();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private IdentityCachingSchemaResolver<Schema, GenericRecord> resolver;

  @BeforeEach
  void configure() {
    resolver = new IdentityCachingSchemaResolver<>(now::get);
    resolver.setClient(fakeRegistry(created));
    // As AvroConverter does: configured by its serializer, then again by its deserializer.
    resolver.configure(configs(), countingParser());
    resolver.configure(configs(), countingParser());
  }

  /** The worker's converter settings that matter here (compose/connect/connect-distributed.properties). */
  private static Map<String, Object> configs() {
    Map<String, Object> configs = new HashMap<>();
    configs.put("apicurio.registry.url", "http://registry.invalid/apis/registry/v2");
    configs.put("apicurio.registry.auto-register", "true");
    configs.put("apicurio.registry.artifact-resolver-strategy", "io.apicurio.registry.serde.strategy.TopicIdStrategy");
    configs.put("apicurio.registry.check-period-ms", String.valueOf(CHECK_PERIOD_MS));
    return configs;
  }

  @Test
  void aSchemaSeenBeforeIsResolvedWithoutTheRegistryOrItsJson() {
    Schema schema = new Schema.Parser().parse(ORDER);
    SchemaLookupResult<Schema> first = resolver.resolveSchema(record("storefront.public.orders", schema, 1));
    for (int i = 2; i <= 1_000; i++) {
      SchemaLookupResult<Schema> again = resolver.resolveSchema(record("storefront.public.orders", schema, i));
      assertSame(first, again);
    }
    assertEquals(List.of("storefront.public.orders-value"), created);
    assertEquals(1, toJson.get(), "the schema went to JSON once, not once per record");
  }

  @Test
  void answersAsTheDefaultResolverDoes() {
    DefaultSchemaResolver<Schema, GenericRecord> plain = new DefaultSchemaResolver<>();
    plain.setClient(fakeRegistry(new ArrayList<>()));
    plain.configure(configs(), new AvroSchemaParser<>(new DefaultAvroDatumProvider<>()));
    Schema v1 = new Schema.Parser().parse(ORDER);
    Schema v1Again = new Schema.Parser().parse(ORDER);
    Schema v2 = new Schema.Parser().parse(ORDER_V2);
    List<Object[]> sequence = List.of(
        new Object[] {"a", v1}, new Object[] {"b", v1}, new Object[] {"a", v1Again}, new Object[] {"a", v2},
        new Object[] {"b", v2}, new Object[] {"a", v1}, new Object[] {"b", v1Again}, new Object[] {"a", v2});
    long id = 0;
    for (Object[] step : sequence) {
      Record<GenericRecord> r = record((String) step[0], (Schema) step[1], ++id);
      SchemaLookupResult<Schema> ours = resolver.resolveSchema(r);
      SchemaLookupResult<Schema> theirs = plain.resolveSchema(r);
      String at = step[0] + " record " + id;
      assertEquals(theirs.getArtifactId(), ours.getArtifactId(), at);
      assertEquals(theirs.getGlobalId(), ours.getGlobalId(), at);
      assertEquals(theirs.getContentId(), ours.getContentId(), at);
    }
  }

  @Test
  void anEqualSchemaFromAnotherInstanceGetsTheSameIdsThroughTheDefaultResolver() {
    SchemaLookupResult<Schema> first = resolver.resolveSchema(record("t", new Schema.Parser().parse(ORDER), 1));
    SchemaLookupResult<Schema> second = resolver.resolveSchema(record("t", new Schema.Parser().parse(ORDER), 2));
    assertEquals(2, toJson.get(), "a new instance is not recognised: the default resolver reads it");
    assertEquals(1, created.size(), "and finds it in its content cache: no second registration");
    assertEquals(first.getGlobalId(), second.getGlobalId());
    assertEquals(first.getContentId(), second.getContentId());
  }

  @Test
  void aChangedSchemaIsRegisteredAsItsOwnContent() {
    Schema v1 = new Schema.Parser().parse(ORDER);
    Schema v2 = new Schema.Parser().parse(ORDER_V2);
    long id1 = resolver.resolveSchema(record("t", v1, 1)).getContentId();
    long id2 = resolver.resolveSchema(record("t", v2, 2)).getContentId();
    assertNotEquals(id1, id2);
    assertEquals(id1, resolver.resolveSchema(record("t", v1, 3)).getContentId());
    assertEquals(2, toJson.get());
  }

  @Test
  void anEntryIsTrustedForTheCheckPeriodThenTheDefaultResolverIsAskedAgain() {
    Schema schema = new Schema.Parser().parse(ORDER);
    resolver.resolveSchema(record("t", schema, 1));
    now.addAndGet(CHECK_PERIOD_MS - 1);
    resolver.resolveSchema(record("t", schema, 2));
    assertEquals(1, toJson.get());
    now.addAndGet(2);
    resolver.resolveSchema(record("t", schema, 3));
    assertEquals(2, toJson.get(), "past the check period, the default resolver is asked again");
    resolver.resolveSchema(record("t", schema, 4));
    assertEquals(2, toJson.get(), "then the fresh entry is used");
  }

  @Test
  void resetForgetsEverything() {
    Schema schema = new Schema.Parser().parse(ORDER);
    resolver.resolveSchema(record("t", schema, 1));
    resolver.reset();
    resolver.resolveSchema(record("t", schema, 2));
    assertEquals(2, toJson.get());
    assertEquals(2, created.size());
  }

  private static Record<GenericRecord> record(String topic, Schema schema, long id) {
    GenericData.Record value = new GenericRecordBuilder(schema).set("id", id).set("status", "placed").build();
    return new KafkaSerdeRecord<>(new KafkaSerdeMetadata(topic, false, null), value);
  }

  /** Apicurio's Avro parser, counting its schema-to-JSON conversions. */
  private SchemaParser<Schema, GenericRecord> countingParser() {
    AvroSchemaParser<GenericRecord> avro = new AvroSchemaParser<>(new DefaultAvroDatumProvider<>());
    return new SchemaParser<>() {
      @Override
      public String artifactType() {
        return avro.artifactType();
      }

      @Override
      public Schema parseSchema(byte[] raw, Map<String, ParsedSchema<Schema>> refs) {
        return avro.parseSchema(raw, refs);
      }

      @Override
      public ParsedSchema<Schema> getSchemaFromData(Record<GenericRecord> data) {
        toJson.incrementAndGet();
        return avro.getSchemaFromData(data);
      }

      @Override
      public ParsedSchema<Schema> getSchemaFromData(Record<GenericRecord> data, boolean dereference) {
        toJson.incrementAndGet();
        return avro.getSchemaFromData(data, dereference);
      }
    };
  }

  /** createArtifact as the registry answers it (IfExists RETURN_OR_UPDATE); nothing else is called. */
  private static RegistryClient fakeRegistry(List<String> created) {
    Map<String, Long> contentIds = new HashMap<>();
    Map<String, Long> globalIds = new HashMap<>();
    return (RegistryClient) Proxy.newProxyInstance(
        RegistryClient.class.getClassLoader(),
        new Class<?>[] {RegistryClient.class},
        (proxy, method, args) -> {
          if (!method.getName().equals("createArtifact")) {
            throw new UnsupportedOperationException(method.getName());
          }
          String artifactId = (String) args[1];
          String content = null;
          for (Object arg : args) {
            if (arg instanceof InputStream in) {
              try {
                content = new String(in.readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          }
          created.add(artifactId);
          long contentId = contentIds.computeIfAbsent(content, c -> (long) contentIds.size() + 1);
          long globalId = globalIds.computeIfAbsent(artifactId + "\n" + content, k -> (long) globalIds.size() + 100);
          ArtifactMetaData meta = new ArtifactMetaData();
          meta.setId(artifactId);
          meta.setVersion("1");
          meta.setGlobalId(globalId);
          meta.setContentId(contentId);
          return meta;
        });
  }
}
