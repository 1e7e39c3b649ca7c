#!/usr/bin/env bash
# Starts a throw-away MariaDB server for the tests in a temporary data directory, on a free
# loopback port, and creates the users the tests need. Prints shell `export` lines on stdout;
# everything else goes to stderr.
#
#   eval "$(scripts/mariadb-test-server.sh start)"   # sets SOLAR_TEST_MYSQL_* and MARIADB_TEST_DIR
#   scripts/mariadb-test-server.sh restart DIR       # start again on the same data and port
#   scripts/mariadb-test-server.sh stop DIR
set -euo pipefail

cmd=${1:-start}
if [ "$cmd" = stop ]; then
  dir=${2:?usage: stop DIR}
  if [ -f "$dir/mariadb.pid" ]; then
    pid=$(cat "$dir/mariadb.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  exit 0
fi

wait_ready() {
  for _ in $(seq 1 150); do
    mariadb-admin --no-defaults --socket="$1/mariadb.sock" -uroot ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$1/error.log" >&2
  return 1
}

if [ "$cmd" = restart ]; then
  dir=${2:?usage: restart DIR}
  bash "$dir/start-server.sh"
  wait_ready "$dir"
  exit 0
fi

dir=$(mktemp -d /tmp/solar-mariadb.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
user=$(id -un)

mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" --auth-root-authentication-method=normal \
  --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }

# TLS: a test CA, a server certificate for 127.0.0.1, and an unrelated CA for negative tests.
tls="$dir/tls"
mkdir -p "$tls"
(
  cd "$tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=SolarDispatch test CA" -keyout ca.key -out ca.pem
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Unrelated CA" -keyout other-ca.key -out other-ca.pem
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out server.pem
) >"$dir/tls.log" 2>&1 || { cat "$dir/tls.log" >&2; exit 1; }

# Durability settings the platform relies on (docs/mysql.md): flush and sync at every commit.
cat >"$dir/start-server.sh" <<START
mariadbd --no-defaults --datadir="$dir/data" --user="$user" --bind-address=127.0.0.1 --port="$port" \\
  --socket="$dir/mariadb.sock" --pid-file="$dir/mariadb.pid" --log-error="$dir/error.log" \\
  --innodb-flush-log-at-trx-commit=1 --sync-binlog=1 --log-bin="$dir/binlog" --server-id=1 \\
  --sql-mode=STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \\
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \\
  --innodb-buffer-pool-size=64M --skip-name-resolve --max-connections=1000 \\
  --ssl-ca="$tls/ca.pem" --ssl-cert="$tls/server.pem" --ssl-key="$tls/server.key" >/dev/null 2>&1 &
START
bash "$dir/start-server.sh"
wait_ready "$dir" || exit 1

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
admin_pw=$(secret)
# A privileged test account (creates one database per test) over TCP with a password.
mariadb --no-defaults --socket="$dir/mariadb.sock" -uroot <<SQL
CREATE USER 'solar_test_admin'@'127.0.0.1' IDENTIFIED BY '$admin_pw';
GRANT ALL PRIVILEGES ON *.* TO 'solar_test_admin'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL

umask 077
printf '%s' "$admin_pw" >"$dir/admin.password"
cat <<EXPORTS
export MARIADB_TEST_DIR='$dir'
export SOLAR_TEST_MYSQL_HOST=127.0.0.1
export SOLAR_TEST_MYSQL_PORT=$port
export SOLAR_TEST_MYSQL_ADMIN_USER=solar_test_admin
export SOLAR_TEST_MYSQL_ADMIN_PASSWORD_FILE='$dir/admin.password'
export SOLAR_TEST_MYSQL_SOCKET='$dir/mariadb.sock'
export SOLAR_TEST_MYSQL_CA_FILE='$tls/ca.pem'
export SOLAR_TEST_MYSQL_OTHER_CA_FILE='$tls/other-ca.pem'
EXPORTS
