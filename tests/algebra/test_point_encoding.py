"""Infinity has one encoding per representation; the affine (0, 0) is an off-curve point.

``None`` is infinity as a Python point and all-zero bytes are infinity on the wire. The
affine (0, 0) is on neither y² = x³ + 3 nor the twist, and its bytes would be infinity's, so
the encoders refuse it rather than turn it into infinity. Both backends read all-zero bytes
as infinity in every kernel, so they agree on what the one encoding means.
"""

from __future__ import annotations

import pytest

from algebra.backend import Backend
from algebra.encoding import (
    g1_from_bytes,
    g1_to_bytes,
    g1_vector_to_bytes,
    g2_from_bytes,
    g2_to_bytes,
    g2_vector_to_bytes,
)
from algebra.errors import MalformedInputError
from tests.algebra.curve_helpers import G1_GEN, G1_INF, G2_GEN, G2_INF


def test_g1_encoder_refuses_zero_zero_as_off_curve() -> None:
    with pytest.raises(MalformedInputError, match=r"G1 point \(0, 0\) is not on the curve"):
        g1_to_bytes((0, 0))
    with pytest.raises(MalformedInputError, match=r"\(0, 0\)"):
        g1_vector_to_bytes([g1_from_bytes(G1_GEN), (0, 0)])


def test_g2_encoder_refuses_zero_zero_as_off_twist() -> None:
    with pytest.raises(MalformedInputError, match=r"G2 point \(0, 0\) is not on the twist"):
        g2_to_bytes(((0, 0), (0, 0)))
    with pytest.raises(MalformedInputError, match=r"\(0, 0\)"):
        g2_vector_to_bytes([((0, 0), (0, 0))])


def test_points_with_one_zero_coordinate_still_encode() -> None:
    # Only the all-zero point collides with infinity; (0, y) is merely off the curve and is
    # left to the validators like any other off-curve point.
    assert g1_from_bytes(g1_to_bytes((0, 2))) == (0, 2)
    assert g2_from_bytes(g2_to_bytes(((0, 0), (0, 1)))) == ((0, 0), (0, 1))


def test_infinity_round_trips_only_as_none() -> None:
    assert g1_to_bytes(None) == G1_INF and g1_from_bytes(G1_INF) is None
    assert g2_to_bytes(None) == G2_INF and g2_from_bytes(G2_INF) is None


def test_backends_read_zero_bytes_as_infinity_in_every_kernel(backend: Backend) -> None:
    backend.g1_validate(G1_INF)
    backend.g2_validate(G2_INF)
    assert backend.g1_add(G1_INF, G1_GEN) == G1_GEN
    assert backend.g1_add(G1_GEN, backend.g1_neg(G1_GEN)) == G1_INF
    assert backend.g1_neg(G1_INF) == G1_INF
    assert backend.g2_add(G2_INF, G2_GEN) == G2_GEN
    # e(O, Q) = 1 for any Q: the zero encoding is the identity to the pairing as well.
    assert backend.pairing_check(G1_INF, G2_GEN) is True
