"""Signed metadata: valid signatures pass; tampering, wrong keys, mismatched inputs and
stale inputs (injectable clock) are each refused with a clear error."""

from __future__ import annotations

from functools import cache

import pytest

from circuits.margin.model import MarketSnapshot
from tests.riskdesk.helpers import MARKET, POLICY, edited, market, policy
from zkmargin.riskdesk.build import build_snapshot
from zkmargin.riskdesk.errors import SignatureError, StaleInputError
from zkmargin.riskdesk.freshness import check_fresh
from zkmargin.riskdesk.loading import load_market, load_policy
from zkmargin.riskdesk.signing import (
    SignedSnapshotMetadata,
    generate_key_pair,
    key_id,
    load_metadata,
    sign_snapshot,
    verify_signed_snapshot,
)


@cache
def keys() -> tuple[bytes, bytes]:
    return generate_key_pair()


@cache
def signed() -> tuple[MarketSnapshot, SignedSnapshotMetadata]:
    snapshot = build_snapshot(market(), policy(), 3).snapshot
    return snapshot, sign_snapshot(snapshot, market(), policy(), keys()[0])


def test_valid_signature_verifies_with_inputs_and_policy() -> None:
    snapshot, meta = signed()
    verify_signed_snapshot(snapshot, meta, keys()[1], market=market(), policy=policy())
    assert meta.signer_key_id == key_id(keys()[1])
    assert meta.as_of == market().as_of and meta.epoch == 3


def test_signing_is_deterministic() -> None:
    snapshot, meta = signed()
    assert sign_snapshot(snapshot, market(), policy(), keys()[0]) == meta


def test_tampered_snapshot_is_refused() -> None:
    snapshot, meta = signed()
    first = snapshot.instruments[0]
    tampered = snapshot.model_copy(
        update={
            "instruments": [
                first.model_copy(update={"mark_price": first.mark_price + 1}),
                *snapshot.instruments[1:],
            ]
        }
    )
    with pytest.raises(SignatureError, match="snapshot \\(canonical SHA-256\\) differs"):
        verify_signed_snapshot(tampered, meta, keys()[1])


def test_metadata_edited_after_signing_is_refused() -> None:
    snapshot, meta = signed()
    forged = meta.model_copy(update={"as_of": meta.as_of + 86_400})
    with pytest.raises(SignatureError, match="the signature does not verify"):
        verify_signed_snapshot(snapshot, forged, keys()[1])


def test_wrong_key_is_refused() -> None:
    snapshot, meta = signed()
    other_public = generate_key_pair()[1]
    with pytest.raises(SignatureError, match=r"signed by key .* not by the given key"):
        verify_signed_snapshot(snapshot, meta, other_public)


def test_signature_by_another_key_under_our_key_id_is_refused() -> None:
    snapshot, _ = signed()
    impostor = sign_snapshot(snapshot, market(), policy(), generate_key_pair()[0])
    relabelled = impostor.model_copy(update={"signer_key_id": key_id(keys()[1])})
    with pytest.raises(SignatureError, match="the signature does not verify"):
        verify_signed_snapshot(snapshot, relabelled, keys()[1])


def test_garbage_signature_is_refused() -> None:
    snapshot, meta = signed()
    with pytest.raises(SignatureError, match="the signature does not verify"):
        verify_signed_snapshot(snapshot, meta.model_copy(update={"signature": "!!"}), keys()[1])


def test_other_market_inputs_are_a_mismatch() -> None:
    snapshot, meta = signed()
    doc = edited(MARKET)
    doc["assets"][0]["depth"] *= 2
    with pytest.raises(SignatureError, match="the market inputs differs"):
        verify_signed_snapshot(snapshot, meta, keys()[1], market=load_market(doc))


def test_other_policy_is_a_mismatch() -> None:
    snapshot, meta = signed()
    other = load_policy(edited(POLICY, name="another-desk"))
    with pytest.raises(SignatureError, match="the policy differs"):
        verify_signed_snapshot(snapshot, meta, keys()[1], policy=other)


def test_malformed_metadata_is_refused() -> None:
    with pytest.raises(SignatureError, match="signed metadata: snapshot_hash"):
        load_metadata({**signed()[1].model_dump(), "snapshot_hash": "0x12"})


def test_fresh_inputs_pass_with_an_injected_clock() -> None:
    as_of = market().as_of
    check_fresh(as_of, max_age_seconds=3_600, clock=lambda: as_of + 3_600.0)


def test_stale_inputs_are_refused() -> None:
    as_of = market().as_of
    with pytest.raises(StaleInputError, match=r"stale: as of .* 3601 s old \(maximum 3600 s\)"):
        check_fresh(as_of, max_age_seconds=3_600, clock=lambda: as_of + 3_601.0)


def test_inputs_from_the_future_are_refused() -> None:
    as_of = market().as_of
    with pytest.raises(StaleInputError, match="in the future"):
        check_fresh(as_of, max_age_seconds=3_600, clock=lambda: as_of - 3_600.0)
