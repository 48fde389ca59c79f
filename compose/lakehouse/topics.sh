#!/bin/sh
# Creates the captured tables' topics, as Debezium would, before the lakehouse sink subscribes:
# docker-compose.lakehouse.yaml's lakehouse-topics runs it (the dockerless stack does the same in
# stack/src/components/lakehouse.ts, ensureTopics; a unit test says the two agree). Why: a topic
# that appears while Iceberg's sink writes rebalances its consumer group, and a rebalance during
# the sink's transactional offset commit fails its task (connectors/README.md, `topics.regex`).
#
# Everything comes from the Debezium connector's template, one setting per line as it is written:
# topic.prefix, table.include.list and topic.creation.default.* (partitions, replication.factor,
# and the rest as topic configs). A topic that exists is left as it is.
#
#   TEMPLATE      the template (default /connectors/debezium-postgres.template.json)
#   BOOTSTRAP     Kafka's bootstrap servers (default kafka:19092)
#   KAFKA_TOPICS  the topic tool (default /opt/kafka/bin/kafka-topics.sh)
#   DRY_RUN=1     print each tool call instead of running it
set -eu

TEMPLATE=${TEMPLATE:-/connectors/debezium-postgres.template.json}
BOOTSTRAP=${BOOTSTRAP:-kafka:19092}
KAFKA_TOPICS=${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}

# The value of a "key": "value" line of the template.
setting() {
  sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$TEMPLATE"
}

prefix=$(setting 'topic\.prefix')
tables=$(setting 'table\.include\.list')
partitions=$(setting 'topic\.creation\.default\.partitions')
replication=$(setting 'topic\.creation\.default\.replication\.factor')
# Every other topic.creation.default.* setting, as --config key=value.
configs=$(sed -n 's/^[[:space:]]*"topic\.creation\.default\.\([^"]*\)":[[:space:]]*"\([^"]*\)".*/\1=\2/p' "$TEMPLATE" |
  grep -v -e '^partitions=' -e '^replication\.factor=' | sed 's/^/--config /' | tr '\n' ' ')
if [ -z "$prefix" ] || [ -z "$tables" ]; then
  echo "topics: no topic.prefix or table.include.list in $TEMPLATE" >&2
  exit 1
fi

for table in $(echo "$tables" | tr ',' ' '); do
  # shellcheck disable=SC2086 # the --config pairs split into words, as intended
  set -- --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$prefix.$table" \
    --partitions "${partitions:-1}" --replication-factor "${replication:-1}" $configs
  if [ "${DRY_RUN:-}" = 1 ]; then
    echo "$KAFKA_TOPICS $*"
  else
    "$KAFKA_TOPICS" "$@"
  fi
done
