# Sourced by .ci/run: start a throwaway PostgreSQL on 127.0.0.1 for the storage tests
# and export CHORUS_TEST_POSTGRES_URL. Installs the server from Debian if it is missing.
# If PostgreSQL cannot be started, the postgres-parametrized tests skip with a reason.

pg_bin=""
find_pg_bin() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
}
find_pg_bin
if [ -z "$pg_bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ci: installing PostgreSQL from Debian"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || true
  find_pg_bin
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
  local port
  port=$(free_port) || return 1
  local dir
  dir=$(mktemp -d /tmp/chorus-pg.XXXXXX)
  PG_DIR=$dir
  PG_STOP=(true)
  trap '"${PG_STOP[@]}" >/dev/null 2>&1 || true; rm -rf "$PG_DIR"' EXIT
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null || return 1
  "${run[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || return 1
  PG_STOP=("${run[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast stop)
  "${run[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres chorus_test || return 1
  export CHORUS_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/chorus_test"
  echo "ci: PostgreSQL running for tests at 127.0.0.1:$port"
}

if [ -n "$pg_bin" ]; then
  start_postgres || echo "ci: could not start PostgreSQL; its tests will be skipped"
else
  echo "ci: PostgreSQL not available; its tests will be skipped"
fi
