"""Constraint cost of the margin circuit's version-2 features, per feature and per slot.

Run ``python -m bench.bench_margin_features [n_i n_c n_s …]``: compiles ``MarginCircuit`` at
each shape (default: 4/2/4, 8/2/4, 4/2/8, 16/8/16 and 32/8/16) without features and with each
feature mask, and prints the constraint counts (docs/margin-model.md quotes them).
"""

from __future__ import annotations

import sys

from circuits.frontend import compile
from circuits.margin.circuit import MarginCircuit, margin_params
from circuits.margin.option_charges import BIT_KIND_SCENARIOS, BIT_OPTION_FORMULA
from circuits.margin.rounding import BIT_ROUNDING
from circuits.margin.sizes import MarginSize

MASKS = {
    "none": 0,
    "bit 16": 1 << BIT_KIND_SCENARIOS,
    "bit 17": 1 << BIT_OPTION_FORMULA,
    "bit 8": 1 << BIT_ROUNDING,
    "bits 16+17": (1 << BIT_KIND_SCENARIOS) | (1 << BIT_OPTION_FORMULA),
    "bits 8+16+17": (1 << BIT_ROUNDING) | (1 << BIT_KIND_SCENARIOS) | (1 << BIT_OPTION_FORMULA),
}
DEFAULT_SHAPES = [(4, 2, 4), (8, 2, 4), (4, 2, 8), (16, 8, 16), (32, 8, 16)]


def constraint_count(shape: tuple[int, int, int], mask: int) -> int:
    """Return the constraints of ``MarginCircuit`` at ``shape`` (2 tier slots) with ``mask``."""
    size = MarginSize("bench", *shape, 2, 2, mask)
    return compile(MarginCircuit, margin_params(size)).n_constraints


def main(argv: list[str]) -> int:
    """Print ``shape, feature, constraints, extra over none`` rows."""
    numbers = [int(a) for a in argv]
    shapes = [tuple(numbers[k : k + 3]) for k in range(0, len(numbers), 3)] or DEFAULT_SHAPES
    for shape in shapes:
        base = constraint_count(shape, 0)  # type: ignore[arg-type]
        for name, mask in MASKS.items():
            count = constraint_count(shape, mask) if mask else base  # type: ignore[arg-type]
            print(f"{'/'.join(map(str, shape))}\t{name}\t{count}\t+{count - base}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
