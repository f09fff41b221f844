#!/usr/bin/env bash
# Set up zkmargin on a fresh machine: the Python package with its Rust extension (release build).
#   scripts/setup.sh         runtime only (enough for `zkm demo`)
#   scripts/setup.sh --dev   also test tools: pinned npm tools (snarkjs, circom2, solc, circomlibjs),
#                            Debian's PostgreSQL (started on loopback) and Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
[ "${1:-}" = "--dev" ] && dev=1

# Reuse one cargo target directory across clones (CI passes without it too: it is only a cache).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zkmargin/cargo-target}"
mkdir -p "$CARGO_TARGET_DIR"
if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null 2>&1 || { echo "setup: cargo (Rust) is required" >&2; exit 1; }

python3 -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
if [ "$dev" = 1 ]; then
  python3 -m pip install --quiet --disable-pip-version-check -e '.[dev]'
else
  python3 -m pip install --quiet --disable-pip-version-check -e '.[all]'  # zkm demo: service + risk desk
fi
python3 -c "import algebra._native" || { echo "setup: the native extension did not build" >&2; exit 1; }
# The editable build above is the baseline one (runs on any CPU); add the fast x86-64-v3 build
# that algebra/native_build.py picks on CPUs with BMI2/ADX/AVX2 (a second release build).
scripts/build-native-v3.sh
if [ "$dev" = 1 ]; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true  # scripts/test.sh runs both
fi

if [ "$dev" = 1 ]; then
  (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error)
  if [ "$(id -u)" = 0 ]; then
    missing=""
    command -v pg_ctlcluster >/dev/null 2>&1 || missing="$missing postgresql"
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    [ -x /usr/bin/time ] || missing="$missing time"  # bench/bench_margin.py: wall, CPU, peak
    if [ -n "$missing" ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
  fi
  if [ -x scripts/start_postgres.sh ]; then
    # The URL is the last line of stdout; anything the server tools print goes elsewhere.
    scripts/start_postgres.sh | tail -n 1 > "$HOME/.cache/zkmargin/postgres-url"
  fi
fi
echo "setup: done ($( [ "$dev" = 1 ] && echo dev || echo runtime ))"
