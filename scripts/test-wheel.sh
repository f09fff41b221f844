#!/usr/bin/env bash
# Install the wheel into a clean venv with no Rust toolchain on PATH and run the trader's flow
# from it (what a trader without cargo gets from `pip install zkmargin`).
#   scripts/test-wheel.sh [WHEEL_DIR]   (default: build one with scripts/build-wheel.sh)
# PYTHON picks the interpreter of the venv (default python3; the wheel is abi3, 3.11+).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
py="${PYTHON:-python3}"
wheels="${1:-}"
if [ -z "$wheels" ]; then
  wheels="$(mktemp -d)"
  scripts/build-wheel.sh "$wheels"
fi
wheel="$(ls "$wheels"/zkmargin-*.whl | head -n 1)"
venv="$(mktemp -d)/venv"
"$py" -m venv "$venv"
# A PATH with the venv and the system's basic tools only: no cargo, rustc or maturin.
clean_path="$venv/bin:/usr/local/bin:/usr/bin:/bin"
if PATH="$clean_path" command -v cargo >/dev/null 2>&1; then
  echo "test-wheel: cargo is on the clean PATH ($(PATH="$clean_path" command -v cargo))" >&2
  exit 1
fi
PATH="$clean_path" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
# Run from outside the checkout so the installed package, not the source tree, is imported.
(cd "$venv" && PATH="$clean_path" PYTHONPATH= "$repo/scripts/trader-flow.sh")
# Capture first: `zkm version | grep -q` races grep's early exit against zkm's next write
# (PYTHONUNBUFFERED=1 in CI), and pipefail then fails on the writer's broken pipe.
portable_version=$(cd "$venv" && PATH="$clean_path" PYTHONPATH= ZKM_NATIVE_CPU=portable zkm version)
grep -q "native build: baseline" <<<"$portable_version" || {
    echo "test-wheel: ZKM_NATIVE_CPU=portable did not load the baseline build:" >&2
    echo "$portable_version" >&2
    exit 1
}
echo "test-wheel: $(basename "$wheel") ok in a venv without cargo ($("$venv/bin/python" --version))"
