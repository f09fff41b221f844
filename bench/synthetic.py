"""Synthetic Groth16 benchmark circuits: a chain of squarings filling a 2^k QAP domain exactly.

Wires: 0 = 1, 1 = ``out`` (public output), 2 = ``x`` (public input), 3 = ``s`` (private),
then ``v_1 … v_{m−1}``. Constraints: ``s·x = v_1``, ``v_i·v_i = v_{i+1}``, and
``v_{m−1}·v_{m−1} = out``, with ``m = 2^k − 3`` so that snarkjs's domain (rows plus the
three public-input rows) is exactly 2^k. Witness values are pseudo-random field elements,
the worst case for MSMs.
"""

from __future__ import annotations

from pathlib import Path

from algebra.constants import SCALAR_FIELD_R
from circuits.r1cs import R1CS, Constraint

N_PUBLIC = 2


def squaring_chain(log_domain: int) -> R1CS:
    """Return the chain circuit whose snarkjs QAP domain is 2^log_domain."""
    m = (1 << log_domain) - N_PUBLIC - 1
    wires = [3, *range(4, m + 3), 1]  # s, v_1 … v_{m−1}, out
    constraints = [Constraint({3: 1}, {2: 1}, {4: 1})]
    constraints += [
        Constraint({wires[i]: 1}, {wires[i]: 1}, {wires[i + 1]: 1}) for i in range(1, m)
    ]
    return R1CS(
        n_wires=m + 3,
        n_public_outputs=1,
        n_public_inputs=1,
        n_private_inputs=1,
        constraints=constraints,
    )


def chain_witness(log_domain: int, x: int = 7, s: int = 123456789) -> list[int]:
    """Return the satisfying witness of :func:`squaring_chain` for inputs ``x`` and ``s``."""
    m = (1 << log_domain) - N_PUBLIC - 1
    values = [s * x % SCALAR_FIELD_R]
    for _ in range(m - 1):
        values.append(values[-1] * values[-1] % SCALAR_FIELD_R)
    return [1, values[-1], x, s, *values[:-1]]


def write_chain(log_domain: int, directory: Path) -> tuple[Path, Path]:
    """Write (once) the chain's ``.r1cs`` and ``.wtns`` under ``directory``; return their paths."""
    from circuits.formats.r1cs_file import write_r1cs
    from circuits.formats.wtns_file import write_wtns

    directory.mkdir(parents=True, exist_ok=True)
    r1cs_path = directory / f"chain{log_domain}.r1cs"
    wtns_path = directory / f"chain{log_domain}.wtns"
    if not r1cs_path.exists():
        write_r1cs(squaring_chain(log_domain), r1cs_path)
    if not wtns_path.exists():
        write_wtns(chain_witness(log_domain), wtns_path)
    return r1cs_path, wtns_path
