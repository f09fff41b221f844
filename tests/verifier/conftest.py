"""Fixtures for verifier tests: toy keys and proofs per backend, a pairing-forbidding backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pytest

from algebra.backend import Backend
from tests.verifier.snarkjs_vectors import SnarkjsGroth16, snarkjs_groth16
from tests.verifier.vectors import ToyKey, random_inputs, toy_key, toy_proofs
from verifier.proof import Proof

N_PUBLIC = 2


@dataclass(frozen=True)
class Toy:
    """A toy key with a few valid proofs and their inputs."""

    key: ToyKey
    proofs: list[Proof]
    inputs: list[list[int]]


_toys: dict[str, Toy] = {}


@pytest.fixture
def toy(backend: Backend) -> Toy:
    """A 2-input toy key and three valid proofs, made once per backend."""
    if backend.name not in _toys:
        key = toy_key(backend, N_PUBLIC, seed=1)
        inputs = random_inputs(3, N_PUBLIC, seed=2)
        _toys[backend.name] = Toy(key, toy_proofs(backend, key, inputs, seed=3), inputs)
    return _toys[backend.name]


class NoPairingBackend:
    """Delegates to a backend but fails the test if a pairing or MSM is attempted."""

    def __init__(self, inner: Backend) -> None:
        self._inner = inner
        self.name = inner.name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._inner, attribute)

    def pairing_check(self, g1_points: bytes, g2_points: bytes) -> bool:
        raise AssertionError("pairing_check reached with malformed input")

    def g1_msm(self, bases: object, scalars: bytes) -> bytes:
        raise AssertionError("g1_msm reached with malformed input")

    def groth16_batch_invalid(self, *buffers: bytes) -> list[int]:
        raise AssertionError("groth16_batch_invalid reached with malformed input")


_guards: dict[str, NoPairingBackend] = {}


@pytest.fixture
def no_pairing(backend: Backend) -> Backend:
    """The backend under test, wrapped so that reaching a pairing fails the test."""
    if backend.name not in _guards:
        _guards[backend.name] = NoPairingBackend(backend)
    return cast(Backend, _guards[backend.name])


@pytest.fixture(scope="session")
def snarkjs_files() -> SnarkjsGroth16:
    """Groth16 artifacts made by the real snarkjs (cached; skipped locally without npm tools)."""
    return snarkjs_groth16()
