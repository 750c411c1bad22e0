#!/usr/bin/env bash
# rabbitmq-bench.sh start|stop|status : the throw-away RabbitMQ 3.10 node of slussen-bench, started
# by scripts/rabbitmq-node.sh (no systemd, loopback only, private node name and ports, a fresh
# data directory on every start) on the benchmark's own ports. The default ports lie below the
# ephemeral range (32768-60999): a port in that range can already be held by some client socket
# (the first attempt failed with eaddrinuse on 35672).
#
# The topology the benchmark uses is pre-declared in definitions.json: a durable fanout exchange
# `bench.fanout` bound to two durable classic queues `bench.q1` and `bench.q2` (fan-out 2).
# Send to `/exchange/bench.fanout/` (durable messages), receive from `/amq/queue/bench.q1|q2`.
#
# `start` prints "rabbitmq up: amqp=127.0.0.1:PORT pid=BEAM_PID ..." as its last stdout line.
set -euo pipefail
export RMQ_DIR=${RMQ_DIR:-/tmp/slussen-bench-rabbitmq}
export AMQP_PORT=${AMQP_PORT:-16672}
export RABBITMQ_NODENAME=${RABBITMQ_NODENAME:-slussenbench@localhost}
export RABBITMQ_DIST_PORT=${RABBITMQ_DIST_PORT:-16673}
export ERL_EPMD_PORT=${ERL_EPMD_PORT:-16369}
NODE="$(dirname "$0")/rabbitmq-node.sh"
if [ "${1:-}" = start ]; then
  defs=$(mktemp /tmp/slussen-bench-definitions.XXXXXX.json)
  trap 'rm -f "$defs"' EXIT
  cat > "$defs" <<'JSON'
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
  RMQ_DEFINITIONS=$defs "$NODE" start
else
  "$NODE" "$@"
fi
