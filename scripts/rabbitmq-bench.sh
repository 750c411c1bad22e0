#!/usr/bin/env bash
# rabbitmq-bench.sh start|stop|status : a throw-away RabbitMQ 3.10 node for slussen-bench.
#
# As in docs/amqp-notes.md §4: no systemd, loopback only, a private node name,
# private AMQP / distribution / epmd ports (so it runs beside any other node), a fresh data
# directory on every start, AMQP 1.0 plugin enabled. Installs rabbitmq-server with apt if missing.
# The default ports lie below the ephemeral range (32768-60999): a port in that range can already
# be held by some client socket (the first attempt failed with eaddrinuse on 35672).
#
# The topology the benchmark uses is pre-declared in definitions.json: a durable fanout exchange
# `bench.fanout` bound to two durable classic queues `bench.q1` and `bench.q2` (fan-out 2).
# Send to `/exchange/bench.fanout/` (durable messages), receive from `/amq/queue/bench.q1|q2`.
#
# `start` prints "rabbitmq up: amqp=127.0.0.1:PORT pid=BEAM_PID" as its last stdout line.
# Run as root (the node itself runs as user rabbitmq, so RMQ_DIR must be writable by it).
set -euo pipefail
RMQ_DIR=${RMQ_DIR:-/tmp/slussen-bench-rabbitmq}
AMQP_PORT=${AMQP_PORT:-16672}
export RABBITMQ_NODENAME=${RABBITMQ_NODENAME:-slussenbench@localhost}
export RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins
export RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia
export RABBITMQ_LOG_BASE=$RMQ_DIR/log
export RABBITMQ_PID_FILE=$RMQ_DIR/rabbitmq.pid
export RABBITMQ_DIST_PORT=${RABBITMQ_DIST_PORT:-16673}
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=${ERL_EPMD_PORT:-16369}
export RABBITMQ_SERVER_START_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

stop_node() {
  if [ -s "$RABBITMQ_PID_FILE" ]; then
    pid=$(cat "$RABBITMQ_PID_FILE")
    kill -TERM "$pid" 2>/dev/null || true   # graceful, about 2.5 s
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$RABBITMQ_PID_FILE"
  fi
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true   # the node started a private epmd
}

case "${1:-}" in
start)
  if ! dpkg -s rabbitmq-server >/dev/null 2>&1; then
    echo "installing rabbitmq-server (apt)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  stop_node                       # a node left over from an interrupted run
  rm -rf "$RMQ_DIR"               # fresh store: empty queues, nothing left from an earlier run
  mkdir -p "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  cat > "$RMQ_DIR/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
loopback_users.guest = true
amqp1_0.default_user = guest
amqp1_0.default_vhost = /
log.console = false
log.file.level = warning
load_definitions = $RMQ_DIR/definitions.json
CONF
  echo '[rabbitmq_amqp1_0].' > "$RMQ_DIR/enabled_plugins"
  cat > "$RMQ_DIR/definitions.json" <<'JSON'
{"rabbit_version": "3.10.8", "vhosts": [{"name": "/"}],
 "queues": [
  {"name": "bench.q1", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}},
  {"name": "bench.q2", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}}],
 "exchanges": [
  {"name": "bench.fanout", "vhost": "/", "type": "fanout", "durable": true,
   "auto_delete": false, "internal": false, "arguments": {}}],
 "bindings": [
  {"source": "bench.fanout", "vhost": "/", "destination": "bench.q1",
   "destination_type": "queue", "routing_key": "", "arguments": {}},
  {"source": "bench.fanout", "vhost": "/", "destination": "bench.q2",
   "destination_type": "queue", "routing_key": "", "arguments": {}}]}
JSON
  chown -R rabbitmq:rabbitmq "$RMQ_DIR"
  /usr/sbin/rabbitmq-server -detached >/dev/null   # the beam is re-parented to PID 1
  rabbitmqctl -n "$RABBITMQ_NODENAME" wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null
  # With load_definitions the node does not create its default user, and anonymous AMQP 1.0
  # connections (amqp1_0.default_user = guest) fail with default_user_missing: create it.
  rabbitmqctl -n "$RABBITMQ_NODENAME" add_user guest guest >/dev/null
  rabbitmqctl -n "$RABBITMQ_NODENAME" set_permissions -p / guest '.*' '.*' '.*' >/dev/null
  echo "rabbitmq up: amqp=127.0.0.1:$AMQP_PORT pid=$(cat "$RABBITMQ_PID_FILE")" ;;
stop)
  stop_node ;;
status)
  rabbitmqctl -n "$RABBITMQ_NODENAME" list_queues name messages durable ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
