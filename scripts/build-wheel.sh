#!/usr/bin/env bash
# Build the release artifacts into OUT_DIR: the sdist and one manylinux2014 x86_64 abi3 wheel
# (CPython 3.11+) carrying the extension twice — the baseline x86-64 build as
# algebra/_native.abi3.so and the x86-64-v3+ADX build (ark-ff's assembly) as
# algebra/_native_builds/x86-64-v3/_native.abi3.so, chosen at import by CPU detection.
# Links with zig (PyPI's `ziglang`) against glibc 2.17, then checks the policy with auditwheel.
#   scripts/build-wheel.sh OUT_DIR
# Needs cargo, and maturin, ziglang, auditwheel and wheel in the Python on PATH (`[dev]` has them).
set -euo pipefail
out="$(mkdir -p "${1:?usage: scripts/build-wheel.sh OUT_DIR}" && cd "$1" && pwd)"
cd "$(dirname "$0")/.."
. scripts/native-flags.sh
py="${PYTHON:-python3}"
cache="${CARGO_TARGET_DIR:-$HOME/.cache/zkmargin/cargo-target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
build() {  # build <target-dir> <out-dir> [RUSTFLAGS]
  CARGO_TARGET_DIR="$1" RUSTFLAGS="${3:-}" "$py" -m maturin build --release --zig \
    --compatibility manylinux2014 --target x86_64-unknown-linux-gnu --interpreter "$py" --out "$2"
}
echo "== sdist"
"$py" -m maturin sdist --out "$out"
echo "== wheel: baseline x86-64"
build "$cache/wheel-baseline" "$work/baseline"
echo "== wheel: x86-64-v3 + ADX"
build "$cache/wheel-x86-64-v3" "$work/v3" "$ZKM_V3_RUSTFLAGS"
echo "== merge"
base="$(ls "$work"/baseline/*.whl)"
"$py" -m wheel unpack --dest "$work/tree" "$base" >/dev/null
tree="$(ls -d "$work"/tree/*/)"
mkdir -p "$tree/$ZKM_V3_DIR"
"$py" - "$(ls "$work"/v3/*.whl)" "$tree/$ZKM_V3_DIR/_native.abi3.so" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("algebra/_native.abi3.so"))
PY
rm -f "$out/$(basename "$base")"
"$py" -m wheel pack --dest-dir "$out" "$tree" >/dev/null
wheel="$out/$(basename "$base")"
[ -f "$wheel" ] || { echo "build-wheel: $wheel was not written" >&2; exit 1; }
echo "== auditwheel show"
"$py" -m auditwheel show "$wheel" | tee "$work/audit.txt"
grep -q 'manylinux_2_17_x86_64' "$work/audit.txt" || {
  echo "build-wheel: the wheel is not manylinux_2_17 (manylinux2014) compatible" >&2; exit 1; }
ls -l "$out"
