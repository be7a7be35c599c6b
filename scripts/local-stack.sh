#!/bin/sh
# Start the course's services as local servers, for machines without a Docker engine.
# It does what docker-compose.yml does: RabbitMQ with the management plugin and the course user,
# and Redis, all on 127.0.0.1. Safe to run again: what already runs is left alone.
#   sh scripts/local-stack.sh        start what is down, then wait until everything answers
#   sh scripts/local-stack.sh user   only create the course user on a running RabbitMQ
set -eu

USER_NAME="${RABBITMQ_USER:-course}"
USER_PASSWORD="${RABBITMQ_PASSWORD:-course}"

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
    seconds=$1 what=$2; shift 2
    i=0
    until "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        if [ "$i" -gt "$seconds" ]; then echo "$what did not come up within ${seconds} s." >&2; exit 1; fi
        sleep 1
    done
}

course_user() {
    if ! rabbitmqctl -q list_users | grep -q "^${USER_NAME}[[:space:]]"; then
        rabbitmqctl -q add_user "$USER_NAME" "$USER_PASSWORD"
    fi
    rabbitmqctl -q set_user_tags "$USER_NAME" administrator
    rabbitmqctl -q set_permissions -p / "$USER_NAME" '.*' '.*' '.*'
    echo "RabbitMQ user '$USER_NAME' is ready (administrator, all permissions on vhost /)."
}

if ! command -v rabbitmq-server >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
    echo "No Docker engine and no local rabbitmq-server/redis-server. Install Docker (then 'make up'), or" >&2
    echo "the Debian packages: apt-get install rabbitmq-server redis-server" >&2
    exit 1
fi

if [ "${1:-}" = "user" ]; then course_user; exit 0; fi

if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    echo "Starting RabbitMQ ..."
    rabbitmq-server -detached
fi
# "Up" means it accepts AMQP connections, not only that the Erlang node answers a ping.
wait_for 60 RabbitMQ rabbitmq-diagnostics -q check_port_connectivity
rabbitmq-plugins -q enable rabbitmq_management >/dev/null
course_user
wait_for 60 "The management API" rabbitmq-diagnostics -q check_port_listener 15672

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Starting Redis ..."
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
wait_for 30 Redis redis-cli -h 127.0.0.1 -p 6379 ping
echo "The stack is up: RabbitMQ (5672, management 15672) and Redis (6379) on 127.0.0.1."
