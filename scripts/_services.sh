# Sourced by scripts/test. Installs Chromium, PostgreSQL and Redis when missing (Debian's
# packages, as root or with sudo), then starts a throwaway PostgreSQL and Redis of its own on free
# loopback ports in a temporary directory, never a server someone else started, and stops and
# deletes them when the test command exits. The tests find them through
# PROJECTHUB_TEST_POSTGRES_ADMIN_URL and PROJECTHUB_TEST_REDIS_URL.

source "$(dirname "${BASH_SOURCE[0]}")/_system_packages.sh"

free_port() {
  python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# initdb refuses to run as root: as root the server runs as Debian's unprivileged postgres account.
start_postgres() {
  local bin port
  bin="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  port="$(free_port)"
  AS_PG=()
  mkdir "$SERVICES_DIR/pg"
  if [[ $EUID -eq 0 ]]; then
    if ! id -u postgres >/dev/null 2>&1; then
      echo "PostgreSQL refuses to run as root and there is no postgres account to run it as:" \
        "run scripts/test as an ordinary user (with sudo for the packages)" >&2
      exit 1
    fi
    AS_PG=(runuser -u postgres --)
    chmod 711 "$SERVICES_DIR"
    chown postgres: "$SERVICES_DIR/pg"
  fi
  PG_CTL=("${AS_PG[@]}" "$bin/pg_ctl" -D "$SERVICES_DIR/pg/data")
  "${AS_PG[@]}" "$bin/initdb" -D "$SERVICES_DIR/pg/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync --no-instructions >/dev/null
  "${PG_CTL[@]}" -l "$SERVICES_DIR/pg/log" -w start -o "-p $port -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories='' -c max_connections=200 -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off" >/dev/null
  export PROJECTHUB_TEST_POSTGRES_ADMIN_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  if [[ "${PROJECTHUB_TEST_DATABASE:-sqlite}" == postgresql && -z "${PROJECTHUB_TEST_DATABASE_URL:-}" ]]; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres projecthub_test
    export PROJECTHUB_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/projecthub_test"
  fi
}

start_redis() {
  local port
  port="$(free_port)"
  mkdir "$SERVICES_DIR/redis"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$SERVICES_DIR/redis" --save '' \
    --appendonly no --daemonize yes --pidfile "$SERVICES_DIR/redis/pid" \
    --logfile "$SERVICES_DIR/redis/log"
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$port" ping >/dev/null || { cat "$SERVICES_DIR/redis/log" >&2; exit 1; }
  export PROJECTHUB_TEST_REDIS_URL="redis://127.0.0.1:$port"
}

stop_services() {
  if [[ -f "$SERVICES_DIR/pg/data/postmaster.pid" ]]; then
    "${PG_CTL[@]}" -m immediate stop >/dev/null || true
  fi
  if [[ -f "$SERVICES_DIR/redis/pid" ]]; then
    local pid
    pid="$(cat "$SERVICES_DIR/redis/pid")"
    kill "$pid" 2>/dev/null || true
    # it writes its log while it stops: wait, or rm races it ("Directory not empty")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$SERVICES_DIR"
}

install_system_packages
SERVICES_DIR="$(mktemp -d -t projecthub-services-XXXXXX)"
trap stop_services EXIT
trap 'exit 130' INT TERM
start_postgres
start_redis
