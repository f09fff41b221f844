"""Commitments and snapshot hashes: canonical encodings, binding, fresh salts."""

from __future__ import annotations

from circuits.margin.commitment import (
    commit,
    snapshot_encoding,
    snapshot_hash,
    state_commitment,
    state_encoding,
    tier_hash,
)
from circuits.margin.sizes import TINY, pad_snapshot
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.std.poseidon import poseidon, poseidon_sponge
from tests.margin.helpers import coll, inst, snap, state


def test_state_encoding_packs_offset_values_and_balance_chunks() -> None:
    account = state([(-1, 2, -3)], [5])
    b = 5 + (1 << 63)
    assert state_encoding(account) == [
        ((1 << 63) - 1)
        + (((1 << 63) + 2) << 64)
        + (((1 << 63) - 3) << 128)
        + ((b & 0xFFFFFFFF) << 192),
        b >> 32,
    ]


def test_commitment_is_poseidon_of_salt_and_sponge() -> None:
    account = state([(1, 2, 3), (4, 5, 6)], [7])
    digest = poseidon_sponge(state_encoding(account), 1 + (2 << 8) + (1 << 32))
    assert state_commitment(account, 99) == poseidon([99, digest])


def test_commit_draws_a_fresh_248_bit_salt() -> None:
    account = state([(1, 2, 3)], [4])
    first, second = commit(account), commit(account)
    assert first.salt != second.salt and first.commitment != second.commitment
    assert 0 <= first.salt < 1 << 248
    assert first.commitment == state_commitment(account, first.salt)


def test_commitment_changes_with_every_state_value() -> None:
    base = state_commitment(state([(1, 2, 3)], [4, 5]), 7)
    for variant in (state([(2, 2, 3)], [4, 5]), state([(1, 3, 3)], [4, 5]),
                    state([(1, 2, 4)], [4, 5]), state([(1, 2, 3)], [4, 6]),
                    state([(1, 2, 3), (0, 0, 0)], [4, 5])):  # fmt: skip
        assert state_commitment(variant, 7) != base


def _snapshot() -> object:
    return snap(
        [inst(scale=3, mark=10, funding_index=-4, mm=[(1, 0), (2, 7)], im=[(3, 0)], risk=[-1, 2])],
        [coll(price=9, scale=2, haircuts=[(900_000, 0), (800_000, 11)], liability=1_200_000)],
    )


def test_snapshot_encoding_layout() -> None:
    s = _snapshot()
    r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
    h_mm, h_im = tier_hash(s, REQUIREMENT_MAINTENANCE), tier_hash(s, REQUIREMENT_INITIAL)  # type: ignore[arg-type]
    assert snapshot_encoding(s) == [  # type: ignore[arg-type]
        7,
        1_700_000_000,
        6,
        3,
        10,
        r - 4,
        0,
        r - 1,
        2,
        2,
        9,
        1_200_000,
        900_000,
        800_000,
        11,
        h_mm,
        h_im,
    ]
    assert h_mm == poseidon_sponge([1, 2, 7], 3)
    assert h_im == poseidon_sponge([3, 3, 0], 3)  # one piece, padded by repetition


def test_snapshot_hash_binds_values_and_shape() -> None:
    s = _snapshot()
    base = snapshot_hash(s)  # type: ignore[arg-type]
    changed = s.model_copy(update={"epoch": 8})  # type: ignore[attr-defined]
    assert snapshot_hash(changed) != base
    assert snapshot_hash(pad_snapshot(s, TINY.__class__("x", 1, 1, 2, 3, 2))) != base  # type: ignore[arg-type]
