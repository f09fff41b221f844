"""Time the ceremony's scalar-multiplication kernels with and without AVX-512 IFMA.

Usage: ``python bench/bench_ifma.py [--log-n 16] [--repeat 3]``

For 2^log_n random points of G1 and of G2 (fixed-base multiples of the generators), times
``g*_scale`` by one scalar (a phase-2 contribution), ``g*_scale`` by random scalars (a
phase-1 contribution) and the inverse ``g*_ntt`` (one Lagrange basis of ``prepare
phase2``), first with the portable arkworks kernels (``set_ifma(False)``), then with the
vector ones, and prints CPU µs per point (all threads; steadier than wall time on a shared
machine) and the ratio. The outputs of both runs are compared byte for byte.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from functools import partial

from algebra.backend import get_backend
from algebra.constants import G1_GENERATOR, G2_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import fr_vector_to_bytes, g1_to_bytes, g2_to_bytes
from algebra.native_build import load_native

native_module = load_native()  # the build this CPU runs (algebra/native_build.py)

RNG = random.Random(2026)


def _best_cpu(kernel: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    best, out = float("inf"), b""
    for _ in range(repeat):
        start = time.process_time()
        out = kernel()
        best = min(best, time.process_time() - start)
    return best, out


def main() -> None:
    """Print the per-point CPU time of each kernel, portable vs IFMA."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-n", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not native_module.ifma_supported():
        raise SystemExit("this CPU has no AVX-512 IFMA: both runs would be the portable kernels")
    backend = get_backend("native")
    n = 1 << args.log_n
    exponents = fr_vector_to_bytes([RNG.randrange(SCALAR_FIELD_R) for _ in range(n)])
    one_secret = fr_vector_to_bytes([RNG.randrange(SCALAR_FIELD_R)] * n)
    random_scalars = fr_vector_to_bytes([RNG.randrange(SCALAR_FIELD_R) for _ in range(n)])
    print(f"{'kernel':<28}{'portable µs/pt':>16}{'IFMA µs/pt':>12}{'ratio':>8}")
    for group in (1, 2):
        if group == 1:
            points = backend.g1_fixed_base(g1_to_bytes(G1_GENERATOR), exponents)
            scale, ntt = backend.g1_scale, backend.g1_ntt
        else:
            points = backend.g2_fixed_base(g2_to_bytes(G2_GENERATOR), exponents)
            scale, ntt = backend.g2_scale, backend.g2_ntt
        cases: list[tuple[str, Callable[[], bytes]]] = [
            (f"G{group} scale, one scalar", partial(scale, points, one_secret)),
            (f"G{group} scale, random", partial(scale, points, random_scalars)),
            (f"G{group} inverse NTT", partial(ntt, points, inverse=True)),
        ]
        for name, kernel in cases:
            native_module.set_ifma(False)
            portable, expected = _best_cpu(kernel, args.repeat)
            native_module.set_ifma(True)
            vector, got = _best_cpu(kernel, args.repeat)
            if got != expected:
                raise SystemExit(f"{name}: the IFMA kernel disagrees with the portable one")
            print(
                f"{name:<28}{1e6 * portable / n:>16.2f}{1e6 * vector / n:>12.2f}"
                f"{portable / vector:>7.2f}×"
            )


if __name__ == "__main__":
    main()
