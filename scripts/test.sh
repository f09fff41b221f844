#!/usr/bin/env bash
# Run every check CI runs: the Rust checks, ruff, mypy --strict, the whole pytest suite, the
# native suite again with ZKM_NATIVE_CPU=portable, and the trader-path subset on Python 3.13.
# Set ZKM_REQUIRE_ALL=1 (as .ci/run does) to turn a missing tool into a failure instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
url_file="$HOME/.cache/zkmargin/postgres-url"
if [ -z "${ZKM_TEST_POSTGRES_URL:-}" ] && [ -s "$url_file" ]; then
  ZKM_TEST_POSTGRES_URL="$(tail -n 1 "$url_file")"
  export ZKM_TEST_POSTGRES_URL
fi
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/zkmargin/cargo-target}"
echo "== cargo fmt --check, clippy -D warnings, cargo test (native/)"
(
  cd native
  cargo fmt --check
  cargo clippy --quiet --release --all-targets -- -D warnings
  cargo test --quiet
  # The x86-64-v3 build's assembly (Montgomery products with MULX/ADCX/ADOX) is compiled only
  # with those target features: test it too where this CPU can run it.
  if [ "$(uname -m)" = x86_64 ] && grep -qw adx /proc/cpuinfo && grep -qw bmi2 /proc/cpuinfo; then
    . ../scripts/native-flags.sh
    CARGO_TARGET_DIR="$CARGO_TARGET_DIR/x86-64-v3-test" RUSTFLAGS="$ZKM_V3_RUSTFLAGS" cargo test --quiet
  elif [ "${ZKM_REQUIRE_ALL:-}" = 1 ] && [ "$(uname -m)" = x86_64 ]; then
    echo "ZKM_REQUIRE_ALL=1: this x86-64 CPU lacks BMI2/ADX, the assembly tests cannot run" >&2
    exit 1
  fi
)
echo "== ruff"
python3 -m ruff check .
echo "== mypy --strict"
python3 -m mypy
echo "== pytest (everything but the slow-marked 2,400-response schemathesis soak;"
echo "   run it with -m slow)"
python3 -m pytest -q -m "not slow" "$@"
echo "== the other slow-marked tests: Poseidon constants vs circomlibjs, doctored files vs snarkjs"
python3 -m pytest -q -p no:cacheprovider -m slow tests/circuits/test_poseidon_constants.py tests/ceremony/test_doctored_tables.py
echo "== native differential suite with the portable path forced (what ARM and old x86 run)"
# (test_ifma.py checks the IFMA kernels against the portable ones: it ran above, and with the
# IFMA path forced off it has nothing to compare, so it is left out rather than skipped.)
ZKM_NATIVE_CPU=portable python3 -m pytest -q -p no:cacheprovider tests/algebra --ignore=tests/algebra/test_ifma.py \
  tests/circuits/test_poseidon_native.py tests/prover/test_fixed_wire_sums.py
echo "== trader-path subset on Python 3.13"
scripts/test-py313.sh
