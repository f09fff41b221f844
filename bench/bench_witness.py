"""Witness-generation benchmark: compile and solve a margin-like circuit of ~50k constraints.

Prints compile time, solve time and the constraint count (budget: witness ≤ 0.5 s for the
standard margin circuit). Run: ``python bench/bench_witness.py [n_slots]``.
"""

from __future__ import annotations

import random
import sys
import time

from algebra.constants import SCALAR_FIELD_R as R
from circuits.frontend import API, Circuit, Variable, compile, secret
from circuits.std.comparators import assert_signed_ge
from circuits.std.division import ceil_div, floor_div
from circuits.std.minmax import signed_abs, signed_max_many
from circuits.std.rangecheck import assert_signed_in_range


class MarginLike(Circuit):
    """Per slot: range checks, a notional product, floor/ceil divisions, |N|, a max."""

    q: list[Variable] = secret(length="n")
    p: list[Variable] = secret(length="n")
    mmf: list[Variable] = secret(length="n")

    def define(self, api: API) -> None:
        requirements = []
        equity: Variable = api.constant(0)
        for i in range(self.params["n"]):
            with api.scope(f"slot[{i}]"):
                assert_signed_in_range(api, self.q[i], 64)
                assert_signed_in_range(api, self.p[i], 64)
                notional = floor_div(api, api.mul(self.q[i], self.p[i]), 10**6, 128)
                magnitude = signed_abs(api, notional, 128)
                req = ceil_div(api, api.mul(magnitude, self.mmf[i]), 10**6, 150)
                requirements.append(req)
                equity = api.add(equity, notional)
        worst = signed_max_many(api, requirements, 150)
        assert_signed_ge(api, api.add(equity, 10**30), worst, 160)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    start = time.perf_counter()
    compiled = compile(MarginLike, {"n": n})
    compiled_at = time.perf_counter()
    rng = random.Random(1)
    assignment = {
        "q": [rng.randrange(-(10**9), 10**9) % R for _ in range(n)],
        "p": [rng.randrange(1, 10**12) for _ in range(n)],
        "mmf": [rng.randrange(1, 10**5) for _ in range(n)],
    }
    solve_start = time.perf_counter()
    witness = compiled.solve(assignment)
    solved_at = time.perf_counter()
    print(f"slots={n} constraints={compiled.n_constraints} wires={len(witness)}")
    print(f"compile {compiled_at - start:.3f} s, solve {solved_at - solve_start:.3f} s")


if __name__ == "__main__":
    main()
