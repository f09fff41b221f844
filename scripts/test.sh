#!/usr/bin/env bash
# Run every check CI runs: ruff, mypy --strict, then the whole pytest suite.
# Set ZKM_REQUIRE_ALL=1 (as .ci/run does) to turn a missing tool into a failure instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
url_file="$HOME/.cache/zkmargin/postgres-url"
if [ -z "${ZKM_TEST_POSTGRES_URL:-}" ] && [ -s "$url_file" ]; then
  ZKM_TEST_POSTGRES_URL="$(tail -n 1 "$url_file")"
  export ZKM_TEST_POSTGRES_URL
fi
echo "== ruff"
python3 -m ruff check .
echo "== mypy --strict"
python3 -m mypy
echo "== pytest"
python3 -m pytest -q "$@"
