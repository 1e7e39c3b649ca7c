#!/usr/bin/env bash
# Runs every test: the Swift suites (storage tests on SQLite and MariaDB), the HTTP tests again
# on MariaDB, then the black-box checks against running servers. A throw-away MariaDB server is
# started in a temporary folder and stopped at the end. Fails when any suite fails or when a
# suite ran no test at all.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
mariadb_dir=""
cleanup() {
  rm -f "$log"
  [ -n "$mariadb_dir" ] && scripts/mariadb-test-server.sh stop "$mariadb_dir"
}
trap cleanup EXIT

# Runs `swift test` with the given arguments; fails unless it passed and ran at least one test.
swift_test() {
  set +e
  swift test --skip-build "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  set -e
  [ "$status" -eq 0 ] || { echo "swift test $* failed ($status)"; exit "$status"; }
  local count
  count=$(grep -Eo 'Test run with [0-9]+ tests?' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
  if [ -z "$count" ] || [ "$count" -eq 0 ]; then echo "swift test $* ran no test"; exit 1; fi
}

echo "== starting a throw-away MariaDB"
exports=$(scripts/mariadb-test-server.sh start)
eval "$exports"
mariadb_dir=$MARIADB_TEST_DIR

echo "== swift build"
swift build --build-tests

echo "== swift test (storage on SQLite and MariaDB, HTTP on SQLite)"
swift_test

echo "== swift test: HTTP tests on MariaDB"
export SOLAR_TEST_DATABASE=mysql
swift_test --filter AppTests
unset SOLAR_TEST_DATABASE

echo "== black-box checks against running servers"
set +e
# The project's virtual environment (made by `make test-deps`), not the system python.
.venv/bin/python -m pytest -q checks
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, not a pass.
[ "$status" -eq 0 ] || { echo "checks failed ($status)"; exit 1; }
echo "SBOM (written and validated by checks/test_supply_chain.py): .build/sbom/solar.cdx.json"
echo "all tests passed"
