# Shared by run and test: a local PostgreSQL 15 cluster owned by the
# `postgres` user (the server refuses to run as root), on a free loopback port.
# Source this file; it defines functions only.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

die() { echo "error: $*" >&2; exit 1; }

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the cluster's owner (root drops to postgres; others run as themselves).
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_postgres_installed() {
    [ -x "$PG_BIN/pg_ctl" ] && return
    [ "$(id -u)" = 0 ] || die "PostgreSQL 15 is not installed at $PG_BIN; install postgresql-15"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null \
        || die "could not install postgresql-15"
}

# ensure_tools COMMAND:PACKAGE...: installs the Debian packages of missing commands.
ensure_tools() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} = 0 ] && return
    [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
        || die "could not install ${missing[*]}"
}

# pg_start DATA_DIR [fast]: creates the cluster if missing, starts it if not
# running, and prints its port. "fast" trades durability for speed (tests).
pg_start() {
    local data=$1 mode=${2:-}
    ensure_postgres_installed
    if [ ! -s "$data/PG_VERSION" ]; then
        mkdir -p "$data"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
        chmod 700 "$data"
        as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
            || die "initdb failed for $data"
    fi
    if as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        sed -n 4p "$data/postmaster.pid"
        return
    fi
    local port options
    port=$(free_port)
    options="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data -c max_connections=400"
    if [ "$mode" = fast ]; then
        options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -o "$options" -w -t 60 start >/dev/null \
        || { tail -20 "$data/server.log" >&2; die "PostgreSQL did not start (log above)"; }
    echo "$port"
}

pg_stop() {
    local data=$1
    [ -s "$data/PG_VERSION" ] || return 0
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# The parent directories must let the postgres user reach the data directory.
ensure_traversable() {
    local dir=$1
    while [ "$dir" != / ]; do
        chmod o+x "$dir" 2>/dev/null || true
        dir=$(dirname "$dir")
    done
}
