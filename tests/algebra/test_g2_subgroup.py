"""The native G2 subgroup test (width-4 NAF of 6x², shared inversions) against the reference.

``g2_validate`` must accept exactly the points py_ecc puts in the order-r group: random
twist points (almost all outside G2), multiples of the generator, and sums of the two.
"""

from __future__ import annotations

import random

import pytest

from algebra.backend import Backend, get_backend
from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import SCALAR_FIELD_R as R
from algebra.encoding import fr_vector_to_bytes
from algebra.errors import BackendUnavailableError, MalformedInputError
from tests.algebra.curve_helpers import G2_GEN, G2_INF, twist_points
from tests.conftest import require


@pytest.fixture(scope="module")
def pair() -> tuple[Backend, Backend]:
    """(native, reference); skips locally and fails in CI when native is not built."""
    try:
        native = get_backend("native")
    except BackendUnavailableError as error:
        require(False, f"native backend ({error})")
        raise
    return native, get_backend("reference")


def _accepts(backend: Backend, point: bytes) -> bool:
    try:
        backend.g2_validate(point)
    except MalformedInputError as error:
        assert "subgroup" in str(error)
        return False
    return True


@pytest.fixture(scope="module")
def points(pair: tuple[Backend, Backend]) -> list[bytes]:
    """Random twist points, generator multiples, their sums, infinity."""
    reference = pair[1]
    rng = random.Random(7)
    outside = twist_points([(rng.randrange(Q), rng.randrange(Q)) for _ in range(24)])
    ks = [1, 2, R - 1, *(rng.randrange(1, R) for _ in range(5))]
    inside = [reference.g2_fixed_base(G2_GEN, fr_vector_to_bytes([k])) for k in ks]
    mixed = [reference.g2_add(a, b) for a, b in zip(outside, inside, strict=False)]
    return [*outside, *inside, *mixed, G2_INF]


def test_g2_subgroup_test_agrees_with_reference_point_by_point(
    pair: tuple[Backend, Backend], points: list[bytes]
) -> None:
    native, reference = pair
    verdicts = [_accepts(reference, p) for p in points]
    assert [_accepts(native, p) for p in points] == verdicts
    assert 8 < verdicts.count(True) < len(points) - 8  # both kinds are exercised


def test_g2_validate_names_the_lowest_point_outside_the_subgroup(
    pair: tuple[Backend, Backend], points: list[bytes]
) -> None:
    native, reference = pair
    inside = [p for p in points if _accepts(reference, p)]
    outside = [p for p in points if not _accepts(reference, p)]
    for position in (0, 5, len(inside)):
        batch = [*inside[:position], outside[position % len(outside)], *inside[position:]]
        for backend in (native, reference):
            with pytest.raises(MalformedInputError, match=rf"#{position} is not in the .*subgroup"):
                backend.g2_validate(b"".join(batch))
    native.g2_validate(b"".join(inside * 40))  # several batches of the native kernel
