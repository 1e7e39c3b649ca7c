#!/usr/bin/env bash
# Runs every test: the Swift suites, then the black-box checks against a running server.
# Fails when any suite fails or when a suite ran no test at all.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== swift build"
swift build --build-tests

echo "== swift test"
set +e
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { echo "swift test failed ($status)"; exit "$status"; }
count=$(grep -Eo 'Test run with [0-9]+ tests?' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
if [ -z "$count" ] || [ "$count" -eq 0 ]; then
  echo "swift test ran no test"; exit 1
fi

echo "== black-box checks against a running server"
set +e
python3 -m pytest -q checks
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure here, not a pass.
[ "$status" -eq 0 ] || { echo "checks failed ($status)"; exit 1; }
echo "all tests passed"
