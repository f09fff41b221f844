#!/usr/bin/env bash
# Build the x86-64-v3 extension for a development checkout (`pip install -e .` builds only the
# baseline one) into algebra/_native_builds/x86-64-v3/, where algebra/native_build.py loads it
# on CPUs that can run it. A no-op off x86-64.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/native-flags.sh
case "$(uname -m)" in x86_64|amd64) ;; *) echo "build-native-v3: not x86-64, nothing to build"; exit 0 ;; esac
target="${CARGO_TARGET_DIR:-$HOME/.cache/zkmargin/cargo-target}/x86-64-v3"
CARGO_TARGET_DIR="$target" RUSTFLAGS="$ZKM_V3_RUSTFLAGS" \
  cargo build --quiet --release --manifest-path native/Cargo.toml --features pyo3/extension-module
mkdir -p "$ZKM_V3_DIR"
# Replace, never write through: the file may be a symlink to another checkout's build.
rm -f "$ZKM_V3_DIR/_native.abi3.so"
cp "$target/release/lib_native.so" "$ZKM_V3_DIR/_native.abi3.so"
echo "build-native-v3: $ZKM_V3_DIR/_native.abi3.so"
