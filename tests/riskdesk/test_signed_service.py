"""The service's checks of signed snapshots, over HTTP to a live in-process service.

Every refusal answers a 4xx with one readable JSON ``detail`` and stores nothing: an
unsigned post, malformed metadata, a signer not registered or registered for another
oracle key, a tampered snapshot, a wrong signature, market inputs or a policy other than
the ones signed, and stale (or future-dated) inputs by the service's injected clock.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.auth import Role
from api.client import ServiceCallError, ZkmClient
from tests.api.conftest import DATABASES, database_url_for
from tests.riskdesk.helpers import MARKET_TINY, POLICY_GARCH, POLICY_TINY, edited, raw
from zkmargin.demo.server import InProcessService
from zkmargin.riskdesk.build import build_snapshot
from zkmargin.riskdesk.canonical import sha256_hex
from zkmargin.riskdesk.loading import load_market, load_policy
from zkmargin.riskdesk.signing import generate_key_pair, key_id, sign_snapshot

MAX_AGE = 3_600
MARKET_NAME = "default"
EPOCHS = range(1, 20)


@dataclass
class Signed:
    """One epoch's snapshot and the ``signed`` part of its post."""

    epoch: int
    snapshot: dict[str, Any]
    signed: dict[str, Any]


@dataclass
class Desk:
    """The live service, its keys and the registered oracle's signing key."""

    service: InProcessService
    oracle: str
    other_oracle: str
    private: bytes
    public: bytes
    next_epoch: Iterator[int]

    def sign(
        self, private: bytes | None = None, policy: Path = POLICY_TINY, later_by: int = 0
    ) -> Signed:
        """Build and sign the tiny snapshot for a fresh epoch (the registered key by default),
        from the shipped inputs dated ``later_by`` seconds later (a market's accepted
        snapshots must be dated later epoch by epoch)."""
        epoch = next(self.next_epoch)
        inputs = edited(MARKET_TINY, as_of=load_market(MARKET_TINY).as_of + later_by)
        market, rules = load_market(inputs), load_policy(policy)
        snapshot = build_snapshot(market, rules, epoch).snapshot
        meta = sign_snapshot(snapshot, market, rules, private or self.private)
        return Signed(
            epoch,
            snapshot.model_dump(mode="json"),
            {
                "metadata": meta.model_dump(mode="json"),
                "market_inputs": inputs,
                "policy": raw(policy),
            },
        )

    def post(self, signed: Signed, key: str | None = None) -> None:
        """Post ``signed`` as the oracle (ServiceCallError if refused)."""
        with ZkmClient(self.service.url, key or self.oracle) as client:
            client.post_snapshot(signed.epoch, signed.snapshot, signed.signed)

    def refused(self, signed: Signed, key: str | None = None) -> ServiceCallError:
        """Post ``signed`` and return the refusal (failing if it was accepted)."""
        with pytest.raises(ServiceCallError) as caught:
            self.post(signed, key)
        with ZkmClient(self.service.url, self.oracle) as client, pytest.raises(ServiceCallError):
            client.get_snapshot(signed.epoch)  # nothing was stored
        return caught.value


@pytest.fixture(scope="module", params=DATABASES)
def desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Desk]:
    """The live service on SQLite, then on PostgreSQL (the signer row is locked there)."""
    root = tmp_path_factory.mktemp("signed")
    as_of = load_market(MARKET_TINY).as_of
    urls = database_url_for(request.param, root)
    with InProcessService(next(urls), root / "log", snapshot_max_age_seconds=MAX_AGE) as service:
        service.state.clock = lambda: as_of + 60
        oracle = service.issue_key(Role.ORACLE, markets=[MARKET_NAME])
        other = service.issue_key(Role.ORACLE, markets=[MARKET_NAME])
        private, public = generate_key_pair()
        with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
            for epoch in EPOCHS:
                admin.open_epoch(epoch, market=MARKET_NAME)
            registered = admin.register_signing_key(oracle.split("_")[1], public.decode())
        assert registered.signer_key_id == key_id(public)
        assert registered.markets == [MARKET_NAME]
        yield Desk(service, oracle, other, private, public, iter(EPOCHS))
    urls.close()  # drops the PostgreSQL database


def test_signed_snapshot_is_stored_with_its_provenance(desk: Desk) -> None:
    signed = desk.sign()
    desk.post(signed)
    desk.post(signed)  # idempotent
    with ZkmClient(desk.service.url, desk.service.issue_key(Role.AUDITOR)) as reader:
        provenance = reader.snapshot_provenance(signed.epoch)
    meta = signed.signed["metadata"]
    assert provenance.signed and provenance.signer_key_id == meta["signer_key_id"]
    assert provenance.signature == meta["signature"]
    assert provenance.public_key == desk.public.decode()
    assert provenance.oracle_key_id == desk.oracle.split("_")[1]
    assert provenance.market_inputs is not None and provenance.policy is not None
    assert sha256_hex(provenance.market_inputs) == meta["market_inputs_sha256"]
    assert sha256_hex(provenance.policy) == meta["policy_sha256"]
    # stored as canonical JSON: what is served is what was signed
    assert json.dumps(provenance.metadata, sort_keys=True) == json.dumps(meta, sort_keys=True)


def test_unsigned_snapshot_is_refused(desk: Desk) -> None:
    signed = desk.sign()
    with ZkmClient(desk.service.url, desk.oracle) as client, pytest.raises(ServiceCallError) as e:
        client.post_snapshot(signed.epoch, signed.snapshot)
    assert e.value.status_code == 422
    assert "unsigned snapshot refused" in e.value.detail


def test_tampered_snapshot_is_refused(desk: Desk) -> None:
    signed = desk.sign()
    signed.snapshot["instruments"][0]["mark_price"] += 1
    error = desk.refused(signed)
    assert error.status_code == 422
    assert "the snapshot (canonical SHA-256) differs from the one signed" in error.detail


def test_wrong_signature_is_refused(desk: Desk) -> None:
    signed = desk.sign()
    signature = bytearray(base64.b64decode(signed.signed["metadata"]["signature"]))
    signature[0] ^= 1
    signed.signed["metadata"]["signature"] = base64.b64encode(bytes(signature)).decode()
    error = desk.refused(signed)
    assert error.status_code == 422
    assert "the signature does not verify" in error.detail


def test_signature_over_other_metadata_is_refused(desk: Desk) -> None:
    """A valid signature of the registered key, moved onto metadata it did not sign."""
    signed, other = desk.sign(), desk.sign()
    signed.signed["metadata"]["signature"] = other.signed["metadata"]["signature"]
    error = desk.refused(signed)
    assert error.status_code == 422 and "the signature does not verify" in error.detail


def test_unregistered_signer_is_refused(desk: Desk) -> None:
    stranger, _ = generate_key_pair()
    error = desk.refused(desk.sign(private=stranger))
    assert error.status_code == 403
    assert "is not registered" in error.detail


def test_signer_registered_for_another_oracle_is_refused(desk: Desk) -> None:
    error = desk.refused(desk.sign(), key=desk.other_oracle)
    assert error.status_code == 403
    assert "registered for another oracle key" in error.detail


def test_stale_inputs_are_refused(desk: Desk) -> None:
    saved = desk.service.state.clock
    as_of = load_market(MARKET_TINY).as_of
    desk.service.state.clock = lambda: as_of + MAX_AGE + 1
    try:
        error = desk.refused(desk.sign())
    finally:
        desk.service.state.clock = saved
    assert error.status_code == 422
    assert "market inputs are stale" in error.detail and f"maximum {MAX_AGE} s" in error.detail


def test_inputs_dated_in_the_future_are_refused(desk: Desk) -> None:
    saved = desk.service.state.clock
    as_of = load_market(MARKET_TINY).as_of
    desk.service.state.clock = lambda: as_of - 3_600
    try:
        error = desk.refused(desk.sign())
    finally:
        desk.service.state.clock = saved
    assert error.status_code == 422 and "in the future" in error.detail


def test_policy_other_than_the_signed_one_is_refused(desk: Desk) -> None:
    signed = desk.sign()
    signed.signed["policy"] = raw(POLICY_GARCH)
    error = desk.refused(signed)
    assert error.status_code == 422
    assert "the policy differs from the one signed" in error.detail


def test_market_inputs_other_than_the_signed_ones_are_refused(desk: Desk) -> None:
    signed = desk.sign()
    inputs = edited(MARKET_TINY)
    inputs["label"] += " (edited after signing)"
    signed.signed["market_inputs"] = inputs
    error = desk.refused(signed)
    assert error.status_code == 422
    assert "the market inputs differs from the one signed" in error.detail


def test_malformed_metadata_is_refused(desk: Desk) -> None:
    signed = desk.sign()
    signed.signed["metadata"] = {**signed.signed["metadata"], "signer_key_id": "nope"}
    error = desk.refused(signed)
    assert error.status_code == 422 and error.detail.startswith("signed metadata:")


def test_malformed_inputs_are_refused(desk: Desk) -> None:
    signed = desk.sign()
    signed.signed["policy"] = {"name": 3}
    error = desk.refused(signed)
    assert error.status_code == 422 and error.detail.startswith("policy:")


def test_signing_key_registration_refusals(desk: Desk) -> None:
    service = desk.service
    _, public = generate_key_pair()
    venue = service.issue_key(Role.VENUE, venue="v1").split("_")[1]
    with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
        cases = [
            (venue, public.decode(), 422, "signing keys belong to oracle keys"),
            ("0123456789ab", public.decode(), 404, "no API key with id"),
            (desk.other_oracle.split("_")[1], desk.public.decode(), 409, "already registered"),
            (desk.oracle.split("_")[1], "not a key", 422, "not a PEM public key"),
        ]
        for api_key_id, pem, status, message in cases:
            with pytest.raises(ServiceCallError) as caught:
                admin.register_signing_key(api_key_id, pem)
            assert caught.value.status_code == status and message in caught.value.detail
    with ZkmClient(service.url, desk.oracle) as oracle, pytest.raises(ServiceCallError) as e:
        oracle.register_signing_key(desk.oracle.split("_")[1], public.decode())
    assert e.value.status_code == 403  # only the admin registers signing keys


def test_revoked_signer_signs_nothing_more_and_its_earlier_snapshot_says_so(desk: Desk) -> None:
    """A key revoked after signing one epoch: the next post signed by it is 403 (nothing
    stored), the earlier snapshot stays served and still checks, with the revocation time
    beside it; revoking again changes nothing; the revocation is audit-logged."""
    from zkmargin.audit.snapshot_signature import check_provenance

    service = desk.service
    private, public = generate_key_pair()
    signer = key_id(public)
    admin_key = service.issue_key(Role.ADMIN)
    with ZkmClient(service.url, admin_key) as admin:
        admin.register_signing_key(desk.oracle.split("_")[1], public.decode())
    before = desk.sign(private, later_by=1)
    desk.post(before)
    with ZkmClient(service.url, admin_key) as admin:
        revoked = admin.revoke_signing_key(signer)
        again = admin.revoke_signing_key(signer)
        listed = {k.signer_key_id: k for k in admin.signing_keys()}
    with ZkmClient(service.url, service.issue_key(Role.AUDITOR)) as auditor:
        log = [e for e in auditor.audit_log() if e.action == "signing_key.revoke"]
    assert revoked.revoked_at is not None and revoked.revoked_by == admin_key.split("_")[1]
    assert (again.revoked_at, again.revoked_by) == (revoked.revoked_at, revoked.revoked_by)
    assert listed[signer].revoked_at == revoked.revoked_at
    assert listed[key_id(desk.public)].revoked_at is None  # the other key stays in force
    assert [e.target for e in log] == [f"signer={signer}"]  # once, however often revoked

    refusal = desk.refused(desk.sign(private, later_by=2))
    assert refusal.status_code == 403 and f"signing key {signer} was revoked at" in refusal.detail
    desk.post(before)  # the accepted snapshot's identical re-post is still acknowledged

    with ZkmClient(service.url, service.issue_key(Role.AUDITOR)) as reader:
        provenance = reader.snapshot_provenance(before.epoch)
        snapshot = reader.get_snapshot(before.epoch).snapshot
    assert provenance.signer_revoked_at == revoked.revoked_at
    assert provenance.posted_at is not None and provenance.posted_at < revoked.revoked_at
    check = check_provenance(snapshot, provenance)
    assert check.problem is None and check.signer_revoked_at == revoked.revoked_at
    assert check.to_json()["signer_revoked_at"] == revoked.revoked_at.isoformat()


def test_snapshot_dated_after_its_signers_revocation_is_an_audit_finding(desk: Desk) -> None:
    """The service never accepts a revoked key's signature, so a served record dated at or
    after the revocation was altered behind it: the auditor names that."""
    from datetime import timedelta

    from zkmargin.audit.snapshot_signature import check_provenance

    signed = desk.sign(later_by=3)
    desk.post(signed)
    with ZkmClient(desk.service.url, desk.service.issue_key(Role.AUDITOR)) as reader:
        provenance = reader.snapshot_provenance(signed.epoch)
        snapshot = reader.get_snapshot(signed.epoch).snapshot
    assert provenance.posted_at is not None and provenance.signer_revoked_at is None
    assert check_provenance(snapshot, provenance).problem is None
    for offset in (timedelta(0), timedelta(seconds=-1)):
        altered = provenance.model_copy(update={"signer_revoked_at": provenance.posted_at + offset})
        problem = check_provenance(snapshot, altered).problem
        assert problem is not None and "at or after its signing key's revocation" in problem
    earlier = provenance.model_copy(
        update={"signer_revoked_at": provenance.posted_at + timedelta(seconds=1)}
    )
    assert check_provenance(snapshot, earlier).problem is None


def test_signing_key_revocation_refusals(desk: Desk) -> None:
    """Only the admin revokes; an unknown or malformed key id is a 404 or 422; a revoked key
    cannot be registered again, for its oracle or another."""
    service = desk.service
    _, public = generate_key_pair()
    signer = key_id(public)
    with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
        admin.register_signing_key(desk.other_oracle.split("_")[1], public.decode())
        with pytest.raises(ServiceCallError) as unknown:
            admin.revoke_signing_key("0" * 32)
        assert unknown.value.status_code == 404 and "no signing key" in unknown.value.detail
        with pytest.raises(ServiceCallError) as malformed:
            admin.revoke_signing_key("not-a-key-id")
        assert malformed.value.status_code == 422
    for role_key in (desk.other_oracle, service.issue_key(Role.AUDITOR)):
        with ZkmClient(service.url, role_key) as other, pytest.raises(ServiceCallError) as e:
            other.revoke_signing_key(signer)
        assert e.value.status_code == 403
    with ZkmClient(service.url, service.issue_key(Role.ADMIN)) as admin:
        assert admin.revoke_signing_key(signer).revoked_at is not None
        for api_key in (desk.other_oracle, desk.oracle):
            with pytest.raises(ServiceCallError) as again:
                admin.register_signing_key(api_key.split("_")[1], public.decode())
            assert again.value.status_code == 409 and "was revoked at" in again.value.detail
