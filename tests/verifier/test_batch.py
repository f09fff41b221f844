"""batch_verify(): one n+3 pairing product if all valid, exact blame if not, malformed reported."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any, cast

import pytest

from algebra.backend import Backend, get_backend
from algebra.constants import G1_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import g1_from_bytes, g1_to_bytes, g2_from_bytes
from algebra.errors import BackendUnavailableError, MalformedInputError
from tests.algebra.curve_helpers import twist_point_outside_g2
from tests.conftest import require
from tests.verifier.conftest import N_PUBLIC, Toy
from tests.verifier.vectors import random_inputs, toy_key, toy_proofs
from verifier.batch import FAILED_PAIRING, BatchResult, batch_verify
from verifier.keys import prepared
from verifier.proof import Proof

_batches: dict[str, tuple[list[Proof], list[list[int]]]] = {}


def _size(backend: Backend) -> int:
    # the reference backend costs ~0.2 s per Miller loop: keep its batches tiny
    return 48 if backend.name == "native" else 3


@pytest.fixture
def many(backend: Backend, toy: Toy) -> tuple[list[Proof], list[list[int]]]:
    """``_size(backend)`` valid proofs and their inputs under ``toy.key``."""
    if backend.name not in _batches:
        inputs = random_inputs(_size(backend), N_PUBLIC, seed=10)
        _batches[backend.name] = (toy_proofs(backend, toy.key, inputs, seed=11), inputs)
    return _batches[backend.name]


class CountingBackend:
    """Delegates to a backend and records the pairing and validation calls.

    It hides the native one-kernel batch check, so :func:`batch_verify` runs the
    specification path (one ``pairing_check`` per checked subset) on every backend.
    """

    def __init__(self, inner: Backend) -> None:
        self._inner = inner
        self.name = inner.name
        self.pairings: list[int] = []
        self.validations: list[tuple[str, int]] = []

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "groth16_batch_invalid":
            raise AttributeError(attribute)
        return getattr(self._inner, attribute)

    def pairing_check(self, g1_points: bytes, g2_points: bytes) -> bool:
        self.pairings.append(len(g1_points) // 64)
        return self._inner.pairing_check(g1_points, g2_points)

    def g1_validate(self, points: bytes) -> None:
        self.validations.append(("g1", len(points) // 64))
        self._inner.g1_validate(points)

    def g2_validate(self, points: bytes) -> None:
        self.validations.append(("g2", len(points) // 128))
        self._inner.g2_validate(points)


def _g1_shift(backend: Backend, point: Any, sign: int) -> Any:
    """Return ``point ± G1``."""
    step = g1_to_bytes(G1_GENERATOR)
    if sign < 0:
        step = backend.g1_neg(step)
    return g1_from_bytes(backend.g1_add(g1_to_bytes(point), step))


def test_batch_verify_accepts_all_valid_with_one_pairing_of_n_plus_3(
    backend: Backend, toy: Toy, many: tuple[list[Proof], list[list[int]]]
) -> None:
    proofs, inputs = many
    counting = CountingBackend(backend)
    pvk = prepared(toy.key.vk, cast(Backend, counting))  # validates the key's own points
    counting.validations.clear()
    result = batch_verify(
        pvk, list(zip(proofs, inputs, strict=True)), backend=cast(Backend, counting)
    )
    assert result.all_valid
    assert result.valid == [True] * len(proofs)
    assert result.reasons == {} and result.invalid_indices == []
    assert counting.pairings == [len(proofs) + 3]
    n = len(proofs)
    assert sorted(counting.validations) == [("g1", n), ("g1", n), ("g2", n)]


def test_batch_verify_names_exactly_the_invalid_proofs(
    backend: Backend, toy: Toy, many: tuple[list[Proof], list[list[int]]]
) -> None:
    proofs, inputs = many
    items = list(zip(proofs, inputs, strict=True))
    n = len(items)
    bad = {3, 17, 18, 40, n - 1} if n > 40 else {n - 1}
    for i in bad:
        proof, x = items[i]
        if i % 2:
            items[i] = (proof, [x[0], (x[1] + 1) % SCALAR_FIELD_R])
        else:
            items[i] = (replace(proof, c=_g1_shift(backend, proof.c, +1)), x)
    result = batch_verify(toy.key.vk, items, backend=backend, rng=random.Random(5))
    assert result.invalid_indices == sorted(bad)
    assert result.reasons == {i: FAILED_PAIRING for i in sorted(bad)}
    assert not result.all_valid


def test_batch_verify_random_weights_defeat_cancelling_forgeries(
    backend: Backend, toy: Toy
) -> None:
    # C₀ + G and C₁ − G cancel in an unweighted product of the two equations
    p0, p1 = toy.proofs[0], toy.proofs[1]
    items = [
        (replace(p0, c=_g1_shift(backend, p0.c, +1)), toy.inputs[0]),
        (replace(p1, c=_g1_shift(backend, p1.c, -1)), toy.inputs[1]),
    ]
    result = batch_verify(toy.key.vk, items, backend=backend)
    assert result.valid == [False, False]


def test_batch_verify_reports_malformed_items_and_checks_the_rest(
    backend: Backend, toy: Toy
) -> None:
    good, x = toy.proofs[0], toy.inputs[0]
    outside = g2_from_bytes(twist_point_outside_g2())
    assert good.c is not None
    items: list[Any] = [
        (good, x),
        (good, [SCALAR_FIELD_R, x[1]]),
        (replace(good, a=None), x),
        (replace(good, b=outside), x),
        (replace(good, c=(good.c[0], good.c[1] + 1)), x),
        (good, x[:1]),
        "not an item",
        (toy.proofs[1], toy.inputs[1]),
        (toy.proofs[2], toy.inputs[1]),
    ]
    result = batch_verify(toy.key.vk, items, backend=backend)
    assert result.valid == [True, False, False, False, False, False, False, True, False]
    assert "public input #0 is not in [0, r)" in result.reasons[1]
    assert "proof.a is the point at infinity" in result.reasons[2]
    assert "proof.b" in result.reasons[3] and "subgroup" in result.reasons[3]
    assert "proof.c" in result.reasons[4] and "curve" in result.reasons[4]
    assert "expected 2 public inputs" in result.reasons[5]
    assert "not a (Proof, public inputs) pair" in result.reasons[6]
    assert result.reasons[8] == FAILED_PAIRING
    assert result.invalid_indices == [1, 2, 3, 4, 5, 6, 8]


def test_batch_verify_refuses_zero_zero_points_as_off_curve(backend: Backend, toy: Toy) -> None:
    # (0, 0)'s bytes are infinity's: it must be an off-curve item, not an infinity that
    # slips past the infinity check (or a proof that merely fails the pairing).
    good, x = toy.proofs[0], toy.inputs[0]
    items: list[Any] = [
        (replace(good, a=(0, 0)), x),
        (replace(good, b=((0, 0), (0, 0))), x),
        (replace(good, c=(0, 0)), x),
        (good, x),
    ]
    result = batch_verify(toy.key.vk, items, backend=backend)
    assert result.valid == [False, False, False, True]
    for index, name in enumerate("abc"):
        assert f"proof.{name}" in result.reasons[index] and "(0, 0)" in result.reasons[index]


@pytest.mark.parametrize("field", ["alpha_g1", "beta_g2", "gamma_g2", "delta_g2"])
def test_batch_verify_rejects_key_with_fixed_point_at_zero_zero(
    backend: Backend, toy: Toy, field: str
) -> None:
    point: object = (0, 0) if field == "alpha_g1" else ((0, 0), (0, 0))
    vk = replace(toy.key.vk, **{field: point})
    with pytest.raises(MalformedInputError, match=field):
        batch_verify(vk, [(toy.proofs[0], toy.inputs[0])], backend=backend)


def test_batch_verify_empty_batch_is_valid_without_pairing(backend: Backend, toy: Toy) -> None:
    counting = CountingBackend(backend)
    result = batch_verify(toy.key.vk, [], backend=cast(Backend, counting))
    assert result == BatchResult(valid=[], reasons={})
    assert result.all_valid and counting.pairings == []


def test_batch_verify_rejects_malformed_key(backend: Backend, toy: Toy) -> None:
    vk = replace(toy.key.vk, gamma_g2=g2_from_bytes(twist_point_outside_g2()))
    with pytest.raises(MalformedInputError, match="gamma_g2"):
        batch_verify(vk, [(toy.proofs[0], toy.inputs[0])], backend=backend)


@pytest.fixture
def native() -> Backend:
    """The native backend (required in CI): large randomised batches are too slow on py_ecc."""
    try:
        return get_backend("native")
    except BackendUnavailableError as error:
        require(False, f"native backend ({error})")
        raise


def test_batch_verify_blames_random_invalid_subsets_exactly(native: Backend) -> None:
    rng = random.Random(99)
    key = toy_key(native, N_PUBLIC, seed=21)
    inputs = random_inputs(40, N_PUBLIC, seed=22)
    proofs = toy_proofs(native, key, inputs, seed=23)
    for trial in range(8):
        bad = set(rng.sample(range(40), k=trial))
        items = [
            (p, [(x[0] + (i in bad)) % SCALAR_FIELD_R, x[1]])
            for i, (p, x) in enumerate(zip(proofs, inputs, strict=True))
        ]
        result = batch_verify(key.vk, items, backend=native, rng=rng)
        assert result.invalid_indices == sorted(bad)
