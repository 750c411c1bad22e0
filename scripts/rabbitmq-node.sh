#!/usr/bin/env bash
# rabbitmq-node.sh start|stop|kill|import FILE|user NAME PASSWORD|status|disk-alarm on|off :
# one private, throw-away RabbitMQ 3.10 node
# with AMQP 1.0, for tests, CI and the benchmark (docs/amqp-notes.md §4).
#
# No systemd, loopback only, a private node name, AMQP and distribution ports and data directory,
# so that several nodes run side by side (tests in parallel, a benchmark beside them). Installs
# rabbitmq-server with apt when it is missing. Run as root: the node runs as user rabbitmq, so
# RMQ_DIR must be writable by it (the script chowns it).
#
# Environment (all optional):
#   RMQ_DIR            data, config and logs          (default /tmp/slussen-rabbitmq)
#   AMQP_PORT          AMQP listener on 127.0.0.1      (default 15672)
#   RABBITMQ_DIST_PORT Erlang distribution port        (default AMQP_PORT + 1)
#   RABBITMQ_NODENAME  node name                        (default slussen-<AMQP_PORT>@localhost)
#   ERL_EPMD_PORT      the epmd the node registers with (default 14369; shared by the nodes of
#                      this script, stopped with the last of them)
#   RMQ_DEFINITIONS    a definitions file (queues, exchanges, users) loaded at every boot
#   RMQ_USERS          "user:password ..." created after start with full rights on vhost /
#   RMQ_FRESH          1 (default): start from an empty data directory; 0: keep what is there
#                      (a restart that must find its queues and messages again)
#
# start: the last stdout line is "rabbitmq up: amqp=127.0.0.1:PORT pid=BEAM_PID node=NAME".
# stop: graceful (SIGTERM to the beam, which closes connections with amqp:internal-error
# "shutdown"); kill: SIGKILL, for fault tests; import FILE: definitions into the running node;
# disk-alarm on|off: raises the node's disk alarm (a disk free limit above any free space, so
# the broker blocks every publisher) or lifts it (the default limit, 50MB) and returns once the
# node's alarm state says so, for fault tests.
set -euo pipefail
RMQ_DIR=${RMQ_DIR:-/tmp/slussen-rabbitmq}
AMQP_PORT=${AMQP_PORT:-15672}
export RABBITMQ_NODENAME=${RABBITMQ_NODENAME:-slussen-$AMQP_PORT@localhost}
export RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq.conf
export RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins
export RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia
export RABBITMQ_LOG_BASE=$RMQ_DIR/log
export RABBITMQ_PID_FILE=$RMQ_DIR/rabbitmq.pid
export RABBITMQ_DIST_PORT=${RABBITMQ_DIST_PORT:-$((AMQP_PORT + 1))}
export ERL_EPMD_ADDRESS=127.0.0.1
export ERL_EPMD_PORT=${ERL_EPMD_PORT:-14369}
export RABBITMQ_SERVER_START_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
ctl() { rabbitmqctl -n "$RABBITMQ_NODENAME" "$@"; }

stop_node() {  # $1: TERM or KILL
  if [ -s "$RABBITMQ_PID_FILE" ]; then
    pid=$(cat "$RABBITMQ_PID_FILE")
    kill "-$1" "$pid" 2>/dev/null || true   # TERM: graceful, about 2.5 s
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$RABBITMQ_PID_FILE"
  fi
  # The node started the epmd it registered with; stop it once no node is left on it.
  if ! epmd -port "$ERL_EPMD_PORT" -names 2>/dev/null | grep -q '^name '; then
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
  fi
}

case "${1:-}" in
start)
  if ! dpkg -s rabbitmq-server >/dev/null 2>&1; then
    echo "installing rabbitmq-server (apt)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  stop_node TERM                  # a node left over from an interrupted run
  [ "${RMQ_FRESH:-1}" = 1 ] && rm -rf "$RMQ_DIR"
  mkdir -p "$RMQ_DIR/mnesia" "$RMQ_DIR/log"
  {
    echo "listeners.tcp.1 = 127.0.0.1:$AMQP_PORT"
    echo "loopback_users.guest = true"
    echo "amqp1_0.default_user = guest"
    echo "amqp1_0.default_vhost = /"
    echo "log.console = false"
    echo "log.file.level = warning"
    if [ -n "${RMQ_DEFINITIONS:-}" ]; then
      cp "$RMQ_DEFINITIONS" "$RMQ_DIR/definitions.json"
      echo "load_definitions = $RMQ_DIR/definitions.json"
    fi
  } > "$RMQ_DIR/rabbitmq.conf"
  echo '[rabbitmq_amqp1_0].' > "$RMQ_DIR/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$RMQ_DIR"
  # Started as user rabbitmq with setpriv rather than Debian's wrapper, whose `su` (PAM) puts
  # the open-files limit back to 1024: RabbitMQ's file handle cache allows about 90 % of it, and
  # a node of the test run, which holds a few queues per test, stopped answering AMQP handshakes
  # at about 350 queues. Same user, home (its Erlang cookie) and environment as the wrapper's.
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
  (cd /var/lib/rabbitmq && HOME=/var/lib/rabbitmq setpriv --reuid=rabbitmq --regid=rabbitmq \
     --init-groups /usr/lib/rabbitmq/bin/rabbitmq-server -detached) >/dev/null
  # (the beam is re-parented to PID 1)
  ctl wait --timeout 90 "$RABBITMQ_PID_FILE" >/dev/null
  # With load_definitions the node does not create its default user, and anonymous AMQP 1.0
  # connections (amqp1_0.default_user = guest) fail with default_user_missing: create it.
  # On a restart (RMQ_FRESH=0) the user is there already, though list_users right after the boot
  # may not show it yet: an add that finds it is fine.
  if ! ctl list_users --silent 2>/dev/null | grep -q '^guest'; then
    ctl add_user guest guest >/dev/null 2>&1 || true
    ctl set_permissions -p / guest '.*' '.*' '.*' >/dev/null
  fi
  for pair in ${RMQ_USERS:-}; do
    user=${pair%%:*}
    ctl add_user "$user" "${pair#*:}" >/dev/null 2>&1 || ctl change_password "$user" "${pair#*:}" >/dev/null
    ctl set_permissions -p / "$user" '.*' '.*' '.*' >/dev/null
  done
  echo "rabbitmq up: amqp=127.0.0.1:$AMQP_PORT pid=$(cat "$RABBITMQ_PID_FILE") node=$RABBITMQ_NODENAME" ;;
stop)
  stop_node TERM ;;
kill)
  stop_node KILL ;;
user)
  [ -n "${3:-}" ] || { echo "usage: $0 user NAME PASSWORD" >&2; exit 2; }
  ctl add_user "$2" "$3" >/dev/null 2>&1 || ctl change_password "$2" "$3" >/dev/null
  ctl set_permissions -p / "$2" '.*' '.*' '.*' >/dev/null ;;
import)
  [ -n "${2:-}" ] || { echo "usage: $0 import FILE" >&2; exit 2; }
  cp "$2" "$RMQ_DIR/import-$$.json" && chown rabbitmq:rabbitmq "$RMQ_DIR/import-$$.json"
  ctl import_definitions "$RMQ_DIR/import-$$.json" >/dev/null
  rm -f "$RMQ_DIR/import-$$.json" ;;
status)
  ctl list_queues name messages messages_unacknowledged durable type ;;
disk-alarm)
  case "${2:-}" in
  on) limit=1000000GB; want=yes ;;
  off) limit=50MB; want=no ;;
  *) echo "usage: $0 disk-alarm on|off" >&2; exit 2 ;;
  esac
  ctl set_disk_free_limit "$limit" >/dev/null
  for _ in $(seq 100); do
    if ctl eval 'rabbit_alarm:get_alarms().' | grep -q resource_limit,disk; then has=yes; else has=no; fi
    [ "$has" = "$want" ] && exit 0
    sleep 0.2
  done
  echo "disk alarm still $has after 20 s" >&2; exit 1 ;;
*) echo "usage: $0 start|stop|kill|import FILE|user NAME PASSWORD|status|disk-alarm on|off" >&2; exit 2 ;;
esac
