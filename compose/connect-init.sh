#!/bin/sh
# Registers every connectors/<name>.template.json with Kafka Connect and waits until each
# connector and all its tasks are RUNNING. Run by the compose service connect-init and by the
# dockerless stack alike; safe to re-run (PUT /connectors/<name>/config is an upsert).
#
#   CONNECT_URL           Kafka Connect REST, e.g. http://connect:8083 (required)
#   CONNECTORS_DIR        where the templates are (default: ./connectors)
#   CONNECT_INIT_TIMEOUT  seconds to wait for Connect, then for RUNNING (default: 120)
#
# A template is the connector's config object with ${VAR} placeholders, filled from the
# environment (.env); an unset or empty variable is an error that names it. The connector's name
# is the template's "name" setting (as in Kafka Connect's own config), not the file's name.
set -eu

: "${CONNECT_URL:?CONNECT_URL is not set; see .env}"
CONNECTORS_DIR="${CONNECTORS_DIR:-./connectors}"
TIMEOUT="${CONNECT_INIT_TIMEOUT:-120}"

# Lines that start "note: " are for the user even when all went well (the stack prints them).
log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() {
  log "$*"
  exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The waits poll every 0.2 s (BusyBox's and coreutils' sleep take fractions), up to TIMEOUT seconds:
# the connector is RUNNING about a second after its config is in, and each start waits on it.
POLL=0.2
deadline() { echo $(($(date +%s) + TIMEOUT)); }
before() { [ "$(date +%s)" -lt "$1" ]; }

wait_for_connect() {
  until_=$(deadline)
  until curl -fsS -o /dev/null "$CONNECT_URL/connectors" 2>/dev/null; do
    before "$until_" ||
      die "Kafka Connect is unreachable at $CONNECT_URL after ${TIMEOUT}s. Is it running? See its log (docker compose -f docker-compose.streaming.yaml logs connect, or npm run stack -- logs connect)."
    sleep "$POLL"
  done
}

# Prints the template with every ${VAR} replaced by its value, or fails naming the unset ones.
render() {
  # shellcheck disable=SC2016 # a literal ${ to find, not an expansion
  grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$1" | sed 's/^\${//; s/}$//' | sort -u >"$tmp/vars" || true
  missing=""
  while read -r var; do
    [ -n "$(printenv "$var" || true)" ] || missing="$missing $var"
  done <"$tmp/vars"
  [ -z "$missing" ] || die "$1: variable(s) not set:$missing. Add them to .env (see .env for the others)."
  awk '{
    out = ""
    while (match($0, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
      out = out substr($0, 1, RSTART - 1) ENVIRON[substr($0, RSTART + 2, RLENGTH - 3)]
      $0 = substr($0, RSTART + RLENGTH)
    }
    print out $0
  }' "$1"
}

upsert() {
  name=$1
  config=$2
  code=$(curl -sS -o "$tmp/response" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data-binary "@$config" "$CONNECT_URL/connectors/$name/config") ||
    die "$name: Kafka Connect did not answer the PUT at $CONNECT_URL"
  case "$code" in
    201)
      log "$name: config created"
      hint_kept_offsets "$name"
      ;;
    200) log "$name: config updated" ;;
    *) die "$name: Kafka Connect refused the config (HTTP $code): $(cat "$tmp/response"). Fix connectors/$name.template.json or .env." ;;
  esac
}

# The value of a flat JSON file's setting $2 ("slot.name"), or nothing.
setting_of() {
  grep -o "\"$2\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$1" | head -n 1 | sed 's/.*:[[:space:]]*"//; s/"$//'
}

# After a connector was created anew: Kafka Connect keeps a deleted connector's offsets, so one
# re-created under the same name resumes where it stopped and takes no new snapshot. Say so when
# that happened (offsets there at once, before the new connector could have committed any).
hint_kept_offsets() {
  name=$1
  curl -fsS -o "$tmp/offsets" "$CONNECT_URL/connectors/$name/offsets" 2>/dev/null || return 0
  grep -q '"offset":{"' "$tmp/offsets" || return 0
  log "note: $name: Kafka Connect kept this connector's offsets from before it was deleted, so it resumes streaming where it stopped and takes NO new snapshot. For a fresh snapshot, reset CDC: npm run stack -- reset-cdc, or with Docker the four steps in docs/operating.md (Operations: \"Deleting the connector does not reset it\")."
}

# A registered connector that no template names but that reads the same replication slot as one
# that does is an earlier name of it (debezium-postgres before storefront-postgres-connector):
# both would fight over the slot, so the old one is deleted. Its successor has none of its offsets
# and takes a fresh snapshot.
retire_renamed() {
  curl -fsS -o "$tmp/registered" "$CONNECT_URL/connectors" || die "Kafka Connect did not list its connectors"
  for old in $(grep -o '"[^"]*"' "$tmp/registered" | tr -d '"'); do
    grep -qx "$old" "$tmp/names" && continue
    curl -fsS -o "$tmp/old.json" "$CONNECT_URL/connectors/$old/config" 2>/dev/null || continue
    slot=$(setting_of "$tmp/old.json" slot.name)
    [ -n "$slot" ] || continue
    while read -r name; do
      [ "$(setting_of "$tmp/$name.json" slot.name)" = "$slot" ] || continue
      curl -fsS -o /dev/null -X DELETE "$CONNECT_URL/connectors/$old" || die "$old: deleting it failed"
      log "note: $old: deleted; $name replaces it (same replication slot $slot, a new name), with a fresh snapshot"
    done <"$tmp/names"
  done
}

# JSON is read with grep and sed, which is enough for Connect's flat status document.
states() { grep -o '"state":"[A-Z_]*"' "$1" | sed 's/"state":"//; s/"$//'; }

# The first "trace" string of a status document, unescaped, first 25 lines.
print_trace() {
  awk '{
    i = index($0, "\"trace\":\"")
    if (i == 0) next
    s = substr($0, i + 9); out = ""
    for (j = 1; j <= length(s); j++) {
      c = substr(s, j, 1)
      if (c == "\\") {
        j++; c = substr(s, j, 1)
        if (c == "n") c = "\n"; else if (c == "t") c = "    "
      } else if (c == "\"") break
      out = out c
    }
    print out
    exit
  }' "$1" | head -n 25 >&2
}

wait_running() {
  name=$1
  until_=$(deadline)
  while :; do
    if curl -fsS -o "$tmp/status" "$CONNECT_URL/connectors/$name/status" 2>/dev/null; then
      all=$(states "$tmp/status" | tr '\n' ' ')
      connector=$(states "$tmp/status" | head -n 1)
      tasks=$(states "$tmp/status" | sed 1d | wc -l | tr -d ' ')
      case " $all" in
        *" FAILED "*)
          if [ "${restarted:-}" != "$name" ]; then
            # Once: a task that failed on something passing (the registry or the database was
            # restarting) runs again; a lasting cause fails again and is reported below.
            restarted=$name
            log "$name: FAILED ($all); restarting the failed parts once"
            curl -fsS -o /dev/null -X POST "$CONNECT_URL/connectors/$name/restart?includeTasks=true&onlyFailed=true" ||
              die "$name: the restart request failed"
            sleep 2
            continue
          fi
          log "$name: FAILED (connector and tasks: $all). The first trace:"
          print_trace "$tmp/status"
          die "$name failed. Common causes: PostgreSQL unreachable from Connect, migrations not applied (no publication or role), a wrong password in .env, or the replication slot held by another client. After fixing, re-run connect-init; to restart from a fresh snapshot, reset CDC (docs/operating.md, Operations)."
          ;;
      esac
      if [ "$connector" = RUNNING ] && [ "$tasks" -gt 0 ] && ! states "$tmp/status" | grep -qvx RUNNING; then
        log "$name: RUNNING with $tasks task(s)"
        return 0
      fi
    fi
    before "$until_" || die "$name: not RUNNING after ${TIMEOUT}s (states: ${all:-none}). See the Connect log."
    sleep "$POLL"
  done
}

# Render everything first: a configuration mistake fails at once, before any waiting.
found=0
: >"$tmp/names"
for template in "$CONNECTORS_DIR"/*.template.json; do
  [ -e "$template" ] || die "no *.template.json in $CONNECTORS_DIR"
  found=$((found + 1))
  render "$template" >"$tmp/rendered.json"
  name=$(setting_of "$tmp/rendered.json" name)
  [ -n "$name" ] || die "$template has no \"name\" setting: add \"name\": \"<connector name>\"."
  mv "$tmp/rendered.json" "$tmp/$name.json"
  echo "$name" >>"$tmp/names"
done
wait_for_connect
retire_renamed
while read -r name; do
  upsert "$name" "$tmp/$name.json"
done <"$tmp/names"
while read -r name; do
  wait_running "$name"
done <"$tmp/names"
log "$found connector(s) RUNNING"
