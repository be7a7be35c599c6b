#!/bin/sh
# RabbitMQ 4.x beside the machine's own RabbitMQ, without Docker: the newest rabbitmq-server that
# Debian ships (its unstable release), installed into a minimal chroot and run as a node of its
# own (name rabbit4@localhost, AMQP 5673, management 15673, distribution port 25673). The
# machine's own node is never touched: every rabbitmqctl call names this node.
#
#   sh scripts/rabbitmq4.sh start        build the chroot if missing, start the node, wait for AMQP
#   sh scripts/rabbitmq4.sh stop         stop the node (and unmount the chroot's /proc)
#   sh scripts/rabbitmq4.sh status       say whether the node runs, and its version
#   sh scripts/rabbitmq4.sh run CMD...   start the node, run CMD against it, stop it again
#                                        (even on Ctrl+C) unless it was already running
#   sh scripts/rabbitmq4.sh env          print the URLs that point the course at this node
#
# Needs root (debootstrap and chroot). Building takes about a minute; a node boots in about 10 s.
set -eu

DIR="${RABBITMQ4_DIR:-/var/tmp/course-rabbitmq4}"
ROOTFS="$DIR/rootfs"
NODE="${RABBITMQ4_NODE:-rabbit4@localhost}"
AMQP_PORT="${RABBITMQ4_AMQP_PORT:-5673}"
HTTP_PORT="${RABBITMQ4_MANAGEMENT_PORT:-15673}"
DIST_PORT="${RABBITMQ4_DIST_PORT:-25673}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
USER_NAME="${RABBITMQ_USER:-course}"
USER_PASSWORD="${RABBITMQ_PASSWORD:-course}"
# Where the node keeps its data and logs, inside the chroot (its own, never the machine's).
NODE_HOME="/var/lib/course-nodes/$NODE"

say() { echo "rabbitmq4: $*"; }
fail() { echo "rabbitmq4: $*" >&2; exit 1; }

in_root() { chroot "$ROOTFS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/var/lib/rabbitmq "$@"; }
ctl() { in_root rabbitmqctl -q -n "$NODE" "$@"; }

need_root() {
    [ "$(id -u)" = 0 ] || fail "building and starting the 4.x node needs root (debootstrap, chroot). Run it as root, or use Docker: 'docker compose up -d'."
}

mount_proc() {
    mountpoint -q "$ROOTFS/proc" || mount -t proc proc "$ROOTFS/proc"
}

# Install rabbitmq-server from SUITE into a fresh chroot. Returns non-zero when the archive
# cannot give it (unstable can be mid-transition).
build_suite() {
    suite=$1
    rm -rf "$ROOTFS.new"
    say "building a minimal Debian '$suite' chroot in $ROOTFS (about a minute) ..."
    debootstrap --variant=minbase "$suite" "$ROOTFS.new" "$MIRROR" >"$DIR/build.log" 2>&1 || return 1
    cp /etc/hosts "$ROOTFS.new/etc/hosts"   # without it the node cannot resolve localhost
    printf '#!/bin/sh\nexit 101\n' >"$ROOTFS.new/usr/sbin/policy-rc.d"   # no service starts inside
    chmod +x "$ROOTFS.new/usr/sbin/policy-rc.d"
    # The archive's Release files may be older than their Valid-Until on a mirror snapshot.
    printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' \
        >"$ROOTFS.new/etc/apt/apt.conf.d/99course"
    mount -t proc proc "$ROOTFS.new/proc"
    ok=0
    chroot "$ROOTFS.new" apt-get update -qq >>"$DIR/build.log" 2>&1 &&
        DEBIAN_FRONTEND=noninteractive chroot "$ROOTFS.new" \
            apt-get install -y -qq --no-install-recommends rabbitmq-server >>"$DIR/build.log" 2>&1 || ok=1
    umount "$ROOTFS.new/proc" 2>/dev/null || true
    [ "$ok" = 0 ] || return 1
    echo "$suite" >"$ROOTFS.new/etc/course-suite"
    mv "$ROOTFS.new" "$ROOTFS"
}

build() {
    need_root
    [ -x "$ROOTFS/usr/lib/rabbitmq/bin/rabbitmq-server" ] && return 0
    mkdir -p "$DIR"
    if ! command -v debootstrap >/dev/null 2>&1; then
        say "installing debootstrap ..."
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap) >/dev/null 2>&1 ||
            fail "could not install debootstrap with apt-get."
    fi
    if build_suite sid; then return 0; fi
    say "unstable's rabbitmq-server cannot be installed now (see $DIR/build.log); falling back to Debian's stable release."
    build_suite stable || fail "no RabbitMQ 4.x could be installed from Debian (unstable nor stable); see $DIR/build.log."
    version=$(in_root dpkg-query -W -f '${Version}' rabbitmq-server)
    case "$version" in 4.*) ;; *) rm -rf "$ROOTFS"; fail "Debian's stable release ships rabbitmq-server $version, not 4.x: no 4.x node can be had.";; esac
}

running() { ctl ping >/dev/null 2>&1; }

port_owner() { # the process listening on 127.0.0.1:PORT, or nothing
    ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*"\).*/\1/p' | head -n 1
}

configure() {
    in_root mkdir -p "$NODE_HOME"
    cat >"$ROOTFS$NODE_HOME/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $HTTP_PORT
loopback_users = none
CONF
    echo "[rabbitmq_management]." >"$ROOTFS$NODE_HOME/enabled_plugins"
    in_root chown -R rabbitmq:rabbitmq "$NODE_HOME"
}

start() {
    build
    mount_proc
    if running; then say "$NODE is already running (AMQP 127.0.0.1:$AMQP_PORT)."; return 0; fi
    for port in "$AMQP_PORT" "$HTTP_PORT" "$DIST_PORT"; do
        owner=$(port_owner "$port")
        [ -z "$owner" ] || fail "port $port is already taken by $owner; free it or choose other ports (RABBITMQ4_AMQP_PORT, RABBITMQ4_MANAGEMENT_PORT, RABBITMQ4_DIST_PORT)."
    done
    configure
    say "starting $NODE ..."
    in_root env RABBITMQ_NODENAME="$NODE" RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$DIST_PORT" \
        RABBITMQ_CONFIG_FILE="$NODE_HOME/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$NODE_HOME/enabled_plugins" \
        RABBITMQ_MNESIA_BASE="$NODE_HOME/mnesia" RABBITMQ_LOG_BASE="$NODE_HOME/log" \
        RABBITMQ_PID_FILE="$NODE_HOME/pid" \
        rabbitmq-server -detached >/dev/null 2>&1 || true
    i=0
    until in_root rabbitmq-diagnostics -q -n "$NODE" check_port_connectivity >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -le 60 ] || fail "$NODE did not accept AMQP connections within 60 s; its log is in $ROOTFS$NODE_HOME/log."
        sleep 1
    done
    if ! ctl list_users | grep "^${USER_NAME}[[:space:]]" >/dev/null; then ctl add_user "$USER_NAME" "$USER_PASSWORD" >/dev/null; fi
    ctl set_user_tags "$USER_NAME" administrator >/dev/null
    ctl set_permissions -p / "$USER_NAME" '.*' '.*' '.*' >/dev/null
    i=0
    until in_root rabbitmq-diagnostics -q -n "$NODE" check_port_listener "$HTTP_PORT" >/dev/null 2>&1; do
        i=$((i + 1)); [ "$i" -le 30 ] || fail "the management API of $NODE did not open port $HTTP_PORT within 30 s."
        sleep 1
    done
    say "$NODE is up: RabbitMQ $(version) ($(suite)), AMQP 127.0.0.1:$AMQP_PORT, management 127.0.0.1:$HTTP_PORT."
}

stop() {
    [ -d "$ROOTFS" ] || { say "no chroot at $ROOTFS: nothing to stop."; return 0; }
    mount_proc
    if running; then
        say "stopping $NODE ..."
        in_root timeout 60 rabbitmqctl -q -n "$NODE" stop >/dev/null 2>&1 || true   # then the kill below
    fi
    # A node that did not answer: end the Erlang VM started under this node's name (the name is
    # in its environment, not on its command line).
    for pid in $(pgrep -f beam.smp 2>/dev/null); do
        if tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "RABBITMQ_NODENAME=$NODE"; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    # Other nodes may still run from the chroot (a lesson's own, a second leg): they need its /proc.
    for pid in $(pgrep -f beam.smp 2>/dev/null); do
        [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOTFS" ] && return 0
    done
    umount "$ROOTFS/proc" 2>/dev/null || true
}

version() { in_root dpkg-query -W -f '${Version}' rabbitmq-server | cut -d- -f1; }
suite() { # where this node's package came from, as the CI summary line says it
    s=$(cat "$ROOTFS/etc/course-suite" 2>/dev/null || echo sid)
    if [ "$s" = sid ]; then echo "Debian unstable's package"
    else echo "Debian $s's package: FALLBACK, unstable's could not be installed"; fi
}

case "${1:-}" in
    build) build ;;
    start) start ;;
    stop) stop ;;
    status)
        if [ -d "$ROOTFS" ] && mount_proc && running; then say "$NODE runs RabbitMQ $(version) ($(suite)) on 127.0.0.1:$AMQP_PORT."
        else say "$NODE is not running."; exit 1; fi ;;
    env)
        echo "AMQP_URL=amqp://$USER_NAME:$USER_PASSWORD@127.0.0.1:$AMQP_PORT/%2F"
        echo "MANAGEMENT_URL=http://$USER_NAME:$USER_PASSWORD@127.0.0.1:$HTTP_PORT/api/" ;;
    run)
        shift
        [ $# -gt 0 ] || fail "say what to run: 'sh scripts/rabbitmq4.sh run make test'."
        was_running=no
        if [ -d "$ROOTFS" ] && mount_proc && running; then was_running=yes; fi
        start
        [ "$was_running" = yes ] || trap 'stop' EXIT
        trap 'exit 130' INT TERM
        set +e
        env AMQP_URL="amqp://$USER_NAME:$USER_PASSWORD@127.0.0.1:$AMQP_PORT/%2F" \
            MANAGEMENT_URL="http://$USER_NAME:$USER_PASSWORD@127.0.0.1:$HTTP_PORT/api/" \
            COURSE_BROKER_LABEL="$(suite)" "$@"
        code=$?
        set -e
        exit "$code" ;;
    *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
