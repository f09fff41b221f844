#!/usr/bin/env bash
# Build the peer provers that bench/bench_prove.py times beside zkm (never dependencies of zkmargin).
#
#   bench/peers/build.sh [OUT]                      gnark: bench/peers/gnark → OUT/gnarkchain
#                                                   (and OUT/gnarkchain-noavx, AVX-512 off)
#   bench/peers/build.sh [OUT] --rapidsnark RS FF   also rapidsnark → OUT/rapidsnark-prover
#
# OUT defaults to ~/.cache/zkmargin/peers. gnark v0.14.0 comes from the Go module proxy at
# the exact versions go.mod/go.sum pin. rapidsnark (LGPL, iden3) is optional: RS and FF
# are local copies of the public iden3/rapidsnark and iden3/ffiasm repositories (a source
# tree or a bare git directory; its snapshot is exported with `git archive HEAD`); it
# needs Debian's libgmp-dev nasm cmake libsodium-dev m4 nlohmann-json3-dev and builds with
# the system GMP (its build_gmp.sh downloads GMP, which we do not do).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${HOME}/.cache/zkmargin/peers"
if [[ $# -gt 0 && "$1" != --* ]]; then out="$1"; shift; fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

command -v go >/dev/null || { echo "build.sh: the Go toolchain (go ≥ 1.24) is needed for gnark" >&2; exit 2; }
(cd "$here/gnark" && GOFLAGS=-mod=readonly go build -trimpath -o "$out/gnarkchain" .)
echo "built $out/gnarkchain"
# gnark-crypto's own build tag `noavx` turns off its AVX-512 vector kernels (field vector
# ops in the FFT and quotient): what gnark runs on a CPU without AVX-512, to compare with
# zkm under ZKM_NATIVE_CPU=avx2 on a machine that has AVX-512.
(cd "$here/gnark" && GOFLAGS=-mod=readonly go build -tags noavx -trimpath -o "$out/gnarkchain-noavx" .)
echo "built $out/gnarkchain-noavx"

[[ "${1:-}" == --rapidsnark ]] || exit 0
[[ $# -eq 3 ]] || { echo "usage: build.sh [OUT] --rapidsnark RAPIDSNARK_SRC FFIASM_SRC" >&2; exit 2; }
export_tree() { # $1 = tree or git dir, $2 = destination
  mkdir -p "$2"
  if [[ -f "$1/HEAD" && -d "$1/objects" ]]; then git --git-dir="$1" archive HEAD | tar -x -C "$2"
  else cp -a "$1/." "$2/"; fi
}
work="$out/rapidsnark-src"
rm -rf "$work"
export_tree "$2" "$work"
rm -rf "$work/depends/ffiasm" "$work/depends/json"
export_tree "$3" "$work/depends/ffiasm"
mkdir -p "$work/depends/json/single_include/nlohmann"
cp /usr/include/nlohmann/*.hpp "$work/depends/json/single_include/nlohmann/"
mkdir -p "$work/build_prover"
(cd "$work/build_prover" && cmake .. -DCMAKE_BUILD_TYPE=Release >/dev/null && make -j"${JOBS:-2}" prover)
cp "$(find "$work/build_prover" -type f -name prover -perm -u+x | head -1)" "$out/rapidsnark-prover"
echo "built $out/rapidsnark-prover"
