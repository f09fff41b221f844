"""Shared prover fixtures: a tiny circuit, its witness, and one dev key per backend."""

from __future__ import annotations

import pytest

from algebra.backend import Backend
from circuits.r1cs import R1CS, Constraint
from prover.keys import ProvingKey
from prover.setup import setup_dev


def tiny_r1cs() -> R1CS:
    """``z = x·y``, ``out = z·z + 1`` with public output ``out`` and public input ``k = out − 1``.

    Wires: 0 = 1, 1 = out, 2 = k, 3 = x, 4 = y, 5 = z. Four constraints (domain 8 with
    the three snarkjs public-input rows).
    """
    return R1CS(
        n_wires=6,
        n_public_outputs=1,
        n_public_inputs=1,
        n_private_inputs=2,
        constraints=[
            Constraint({3: 1}, {4: 1}, {5: 1}),
            Constraint({5: 1}, {5: 1}, {1: 1, 0: SCALAR_MINUS_ONE}),
            Constraint({1: 1, 0: SCALAR_MINUS_ONE}, {0: 1}, {2: 1}),
            Constraint({3: 2, 4: 3}, {0: 1}, {3: 2, 4: 3}),
        ],
    )


SCALAR_MINUS_ONE = 21888242871839275222246405745257275088548364400416034343698204186575808495616


def tiny_witness(x: int = 3, y: int = 5) -> list[int]:
    """Return the satisfying witness of :func:`tiny_r1cs` for private ``x, y``."""
    z = x * y
    return [1, z * z + 1, z * z, x, y, z]


_keys: dict[str, ProvingKey] = {}


@pytest.fixture
def dev_key(backend: Backend) -> ProvingKey:
    """A dev-setup key for :func:`tiny_r1cs`, made once per backend."""
    if backend.name not in _keys:
        _keys[backend.name] = setup_dev(tiny_r1cs(), backend=backend)
    return _keys[backend.name]
