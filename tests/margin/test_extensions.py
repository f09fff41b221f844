"""Snapshot format version 2: the feature mask, the extension hash and version-1 stability."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from circuits.margin import extensions
from circuits.margin.commitment import snapshot_domain, snapshot_encoding, snapshot_hash
from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import SnapshotFeature, extension_elements, register_feature
from circuits.margin.model import MarketSnapshot
from circuits.std.poseidon import poseidon_sponge
from tests.margin.helpers import coll, inst, snap


@pytest.fixture
def marks_feature() -> Iterator[SnapshotFeature]:
    """Register a throw-away feature on bit 31 (version-2 snapshots with an epoch ≥ 100)."""
    feature = register_feature(
        SnapshotFeature(
            bit=31,
            name="test-marks",
            used_by=lambda s: s.epoch >= 100,
            encoding=lambda s: [i.mark_price * 3 for i in s.instruments],
        )
    )
    yield feature
    del extensions._FEATURES[31]


def _snapshot(version: int, epoch: int) -> MarketSnapshot:
    base = snap([inst(mark=7), inst(mark=11)], [coll()])
    return base.model_copy(update={"version": version, "epoch": epoch})


def test_version_1_hash_is_the_sponge_of_the_main_encoding_with_the_v1_tag() -> None:
    snapshot = _snapshot(1, 5)
    tag = 2 + (1 << 8) + (2 << 12) + (1 << 24) + (1 << 36) + (2 << 48) + (2 << 52)
    assert snapshot_domain(snapshot) == tag
    assert snapshot_hash(snapshot) == poseidon_sponge(snapshot_encoding(snapshot), tag)


def test_version_2_tags_version_2_and_appends_the_extension_hash_binding_the_mask(
    marks_feature: SnapshotFeature,
) -> None:
    v1, v2 = _snapshot(1, 5), _snapshot(2, 100)
    assert snapshot_domain(v2) - snapshot_domain(v1) == 1 << 8
    elements = extension_elements(v2, 1 << 31)
    assert elements == [1 << 31, 31, 21, 33]
    encoding = snapshot_encoding(v2)
    assert encoding[:-1] == [100, *snapshot_encoding(v1)[1:]]
    assert encoding[-1] == poseidon_sponge(elements, 4)
    assert snapshot_hash(v2) != snapshot_hash(
        v2.model_copy(
            update={
                "instruments": [
                    v2.instruments[0],
                    v2.instruments[1].model_copy(update={"mark_price": 12}),
                ]
            }
        )
    )


def test_version_1_snapshot_using_a_feature_is_refused(marks_feature: SnapshotFeature) -> None:
    with pytest.raises(MarginInputError, match="version 1 cannot use test-marks"):
        snapshot_hash(_snapshot(1, 100))


def test_version_2_snapshot_without_features_is_refused() -> None:
    with pytest.raises(MarginInputError, match="uses no version-2 feature"):
        snapshot_hash(_snapshot(2, 5))


def test_feature_bits_cannot_collide(marks_feature: SnapshotFeature) -> None:
    with pytest.raises(ValueError, match="taken"):
        register_feature(SnapshotFeature(31, "other", lambda s: False, lambda s: []))
    with pytest.raises(ValueError, match="outside"):
        register_feature(SnapshotFeature(32, "other", lambda s: False, lambda s: []))
