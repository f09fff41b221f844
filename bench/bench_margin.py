"""Margin circuit benchmarks: constraints, compile, witness and prove time per size.

Budgets (ARCHITECTURE §6, standard size, native backend): ≤ 2^16 constraints,
witness ≤ 0.5 s, prove ≤ 1 s. Usage::

    python bench/bench_margin.py [--sizes tiny standard large] [--no-prove] [--repeat 3]

Witness time is split into the Python-side statement (reference check, snapshot hash,
assignment) and the circuit solve; the snapshot hash is memoised per snapshot, so the
"warm" figure is what a trader proving several statements on one epoch pays.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from circuits.margin.commitment import commit
from circuits.margin.sample import sample_accounts, sample_snapshot
from circuits.margin.sizes import SIZES
from circuits.margin.statement import REQUIREMENT_MAINTENANCE
from circuits.margin.witness import build_assignment
from zkmargin.margin.workflow import compiled_margin

T = TypeVar("T")
BUDGET_CONSTRAINTS = 1 << 16


def timed(fn: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    """Return ``fn()`` and its best wall time over ``repeat`` runs."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    assert out is not None
    return out, best


def bench_size(name: str, prove: bool, repeat: int) -> None:
    """Print constraints and timings of one size."""
    size = SIZES[name]
    circuit, t_compile = timed(lambda: compiled_margin(size))
    rng = random.Random(1)
    snapshot = sample_snapshot(size, rng)
    (_, state, _), *_ = sample_accounts(snapshot, 1, rng)
    opening = commit(state)
    args = (opening, snapshot, REQUIREMENT_MAINTENANCE, 1_000_000)
    _, t_cold = timed(lambda: build_assignment(*args))
    assignment, t_assign = timed(lambda: build_assignment(*args), repeat)
    witness, t_solve = timed(lambda: circuit.solve(assignment), repeat)
    n = circuit.n_constraints
    print(f"{name:>8}: {n:>7} constraints ({n / BUDGET_CONSTRAINTS:.3f} of 2^16), "
          f"{circuit.r1cs.n_wires} wires, compile {t_compile:.2f} s")  # fmt: skip
    print(f"{'':>8}  witness: statement {t_assign:.3f} s (cold {t_cold:.3f} s) + solve "
          f"{t_solve:.3f} s = {t_assign + t_solve:.3f} s")  # fmt: skip
    if prove:
        from prover.prove import prove as groth16_prove
        from prover.setup import setup_dev

        pk, t_setup = timed(lambda: setup_dev(circuit.r1cs))
        groth16_prove(pk, witness)  # warm the prepared key
        _, t_prove = timed(lambda: groth16_prove(pk, witness, self_check=False), repeat)
        print(f"{'':>8}  dev setup {t_setup:.1f} s, prove {t_prove:.3f} s (native, no self-check)")


def main() -> int:
    """Run the benchmark for the requested sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["tiny", "standard"], choices=list(SIZES))
    parser.add_argument("--no-prove", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name in args.sizes:
        bench_size(name, not args.no_prove, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
