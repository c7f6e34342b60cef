#!/usr/bin/env bash
# Start (or reuse) a single-node Apache Kafka broker (KRaft) on 127.0.0.1:9092 for
# tests and create the project's topics. Idempotent. `kafka.sh stop` stops ours.
# Progress goes to stderr; the last stdout line is GONGXIAO_TEST_KAFKA_BOOTSTRAP=...
# GONGXIAO_KAFKA_PORT, GONGXIAO_KAFKA_CONTROLLER_PORT and GONGXIAO_KAFKA_RUN start a second
# broker beside it, on ports and in a folder of its own (the fault-injection suite, tests/faults,
# kills and restarts one).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KAFKA_DIR=$(cd "$HERE/../kafka" && pwd)
VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_DIR/pom.xml")
# Jars live outside the repo so a fresh clone (CI) reuses what this machine fetched.
LIBS=${GONGXIAO_CACHE:-${HOME:-/root}/.cache/gongxiao}/kafka-$VERSION/libs
RUN=${GONGXIAO_KAFKA_RUN:-${TMPDIR:-/tmp}/gongxiao-kafka}
PIDFILE=$RUN/kafka.pid
LOG=$RUN/kafka.log
PORT=${GONGXIAO_KAFKA_PORT:-9092}
CONTROLLER_PORT=${GONGXIAO_KAFKA_CONTROLLER_PORT:-9093}
BOOTSTRAP=127.0.0.1:$PORT
# Any valid 16-byte base64 UUID; fixed so the data dir never disagrees with it.
CLUSTER_ID=Z29uZ3hpYW8ta2Fma2EtMQ

say() { echo "kafka.sh: $*" >&2; }

our_pid() {  # pid of the broker this script started, if it is still alive
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  grep -qs kafka.Kafka "/proc/$pid/cmdline" && echo "$pid"
}

stop() {
  local pid
  pid=$(our_pid) || { say "no broker of ours is running"; rm -f "$PIDFILE"; return 0; }
  say "stopping broker pid $pid"
  kill "$pid" 2>/dev/null || true
  # A controlled shutdown takes a few seconds; don't wait forever.
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

fail() {
  say "$*"
  if [[ ${started:-} && -f $LOG ]]; then
    # The cause is usually the first ERROR; the tail is mostly its stack trace.
    say "errors in $LOG:"; grep -m 5 -A 2 -E 'ERROR|FATAL' "$LOG" >&2 || true
    say "last lines of $LOG:"; tail -n 20 "$LOG" >&2
  fi
  stop
  exit 1
}

[[ ${1:-} == stop ]] && { stop; exit 0; }

# --- jars: Maven Central via infra/kafka/pom.xml, once per pom content ---
marker=$LIBS/.complete-$(sha256sum "$KAFKA_DIR/pom.xml" | cut -c1-16)
if [[ ! -f $marker ]]; then
  say "fetching Kafka $VERSION jars into $LIBS"
  rm -rf "$LIBS" && mkdir -p "$LIBS"
  # (sed: Debian's Maven 3.8 prints stray colour resets even with -q -B)
  mvn -q -B -f "$KAFKA_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" 2>&1 | sed 's/\x1b\[0m//g' >&2
  touch "$marker"
fi

# The CLI tools are short-lived JVMs: small heap and C1 only make them start faster.
tool=(java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties"
  -cp "$LIBS/*")
mkdir -p "$RUN"
printf 'request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n' >"$RUN/client.properties"
topics() {
  timeout 30 "${tool[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
    --command-config "$RUN/client.properties" "$@"
}
port_open() { (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; }

# --- broker: reuse whatever answers on the port, else start ours ---
started=
if ! port_open && ! our_pid >/dev/null; then
  mkdir -p "$RUN/data"
  cat >"$RUN/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://$BOOTSTRAP,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$BOOTSTRAP
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$RUN/data
num.partitions=3
auto.create.topics.enable=true
group.initial.rebalance.delay.ms=0
# One broker: every internal topic has a single replica. Few partitions keep the
# first consumer group / producer id allocation fast on a small machine.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
EOF
  if [[ ! -f $RUN/data/meta.properties ]]; then
    say "formatting KRaft storage in $RUN/data"
    "${tool[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$RUN/server.properties" >&2
  fi
  say "starting Kafka $VERSION broker (log: $LOG)"
  # setsid: own session, so it outlives this script and the caller's terminal;
  # all fds go to the log so $(up.sh) / pipes are not held open by the broker.
  rm -f "$PIDFILE"
  # shellcheck disable=SC2016  # $$ and $@ are for the inner bash
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
    java -Xmx512m -Dgongxiao.kafka.log=INFO -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$RUN/server.properties" </dev/null >"$LOG" 2>&1 &
  started=1
  for _ in $(seq 50); do [[ -s $PIDFILE ]] && break; sleep 0.1; done
else
  say "something listens on $BOOTSTRAP (or our broker is starting); checking it is Kafka"
fi

# Ready = it answers a metadata request (the topic list), not just an open port.
deadline=$((SECONDS + 60))
until listing=$(topics --list 2>/dev/null); do
  [[ $started ]] && ! our_pid >/dev/null && fail "the broker exited during start-up"
  ((SECONDS < deadline)) || fail "no Kafka answered on $BOOTSTRAP within 60 s"
  sleep 1
done
say "broker on $BOOTSTRAP answers metadata"

# --- topics, created only when missing (retention.ms=-1 keeps events forever) ---
while read -r name partitions retention; do
  grep -qx "$name" <<<"$listing" && continue
  say "creating topic $name"
  topics --create --if-not-exists --topic "$name" --partitions "$partitions" \
    --replication-factor 1 --config retention.ms="$retention" >&2
done <<'EOF'
gongxiao.events 3 -1
gongxiao.scans 3 604800000
gongxiao.scans.rejected 1 2592000000
EOF

echo "GONGXIAO_TEST_KAFKA_BOOTSTRAP=$BOOTSTRAP"
