"""SolvencyAttestation on a real EVM: auditor-signed epochs, quorum, replay and every refusal."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from eth_account import Account
from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.exceptions import ContractCustomError

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.solvency.totals import SolvencyTotals
from tests.conftest import npm_tool
from tests.onchain.evm import Chain, Compiled, compile_solidity, revert_data
from zkmargin.solvency.attestation import (
    CONTRACT_NAME,
    AttestedStatement,
    render_solvency_attestation,
    sign_statement,
    solvency_typed_data,
    statement_from_report,
    typed_data_digest,
)

OWNER, POSTER, RELAYER, NEW_POSTER = 0, 1, 2, 3
EPOCH = 42
# Three auditors and an outsider; keys fixed so runs are reproducible.
AUDITOR_KEYS = [bytes([k]) * 32 for k in (0x11, 0x22, 0x33)]
OUTSIDER_KEY = bytes([0x44]) * 32
STATEMENT = AttestedStatement(
    epoch=EPOCH,
    list_root=0x1234_5678_9ABC,
    snapshot_hash=987_654_321,
    totals=SolvencyTotals(
        liabilities=5_000_000,
        deficit=200_000,
        at_risk=300_000,
        maintenance=900_000,
        initial=1_400_000,
        count=1000,
    ),
    reserves=5_000_000,
    insurance=250_000,
    verifying_key=bytes(range(32)),
)


def _address(key: bytes) -> str:
    return str(Account.from_key(key).address)


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return compile_solidity(npm_tool("solcjs"), render_solvency_attestation(), CONTRACT_NAME)


@pytest.fixture()
def deployed(compiled: Compiled) -> tuple[Chain, Any]:
    chain = Chain()
    auditors = [_address(k) for k in AUDITOR_KEYS]
    contract = chain.deploy(compiled, chain.accounts[POSTER], auditors, sender=OWNER)
    return chain, contract


def _sign(contract: Any, statement: AttestedStatement, key: bytes, chain_id: int) -> bytes:
    typed = solvency_typed_data(statement, chain_id=chain_id, contract=contract.address)
    return sign_statement(typed, key)[1]


def _chain_id(chain: Chain) -> int:
    return int(chain.w3.eth.chain_id)


def _signatures(
    chain: Chain, contract: Any, statement: AttestedStatement, keys: list[bytes]
) -> list[bytes]:
    """Signatures of ``keys`` in ascending signer order, as the contract requires."""
    ordered = sorted(keys, key=lambda k: int(_address(k), 16))
    return [_sign(contract, statement, k, _chain_id(chain)) for k in ordered]


def _post(chain: Chain, contract: Any, statement: AttestedStatement = STATEMENT) -> Any:
    return chain.transact(contract.functions.postEpoch(statement.as_tuple()), sender=POSTER)


def _attest(chain: Chain, contract: Any, epoch: int, signatures: list[bytes]) -> Any:
    return chain.transact(contract.functions.attest(epoch, signatures), sender=RELAYER)


def _reverts_with(error: str, action: Any) -> None:
    with pytest.raises((ContractCustomError, TransactionFailed)) as caught:
        action()
    assert revert_data(caught.value)[:4] == bytes(Web3.keccak(text=error)[:4])


def test_posted_epoch_attested_by_an_auditor_is_recorded_with_events(
    deployed: tuple[Chain, Any],
) -> None:
    chain, contract = deployed
    receipt = _post(chain, contract)
    (posted,) = contract.events.EpochPosted().process_receipt(receipt)
    typed = solvency_typed_data(STATEMENT, chain_id=_chain_id(chain), contract=contract.address)
    digest = typed_data_digest(typed)
    assert posted.args.epoch == EPOCH and posted.args.listRoot == STATEMENT.list_root
    assert bytes(posted.args.digest) == digest == bytes(contract.functions.digestOf(EPOCH).call())
    assert contract.functions.isAttested(EPOCH).call() is False
    assert contract.functions.isSolvent(EPOCH).call() is False  # posted is not attested
    receipt = _attest(
        chain, contract, EPOCH, _signatures(chain, contract, STATEMENT, AUDITOR_KEYS[:1])
    )
    (attested,) = contract.events.EpochAttested().process_receipt(receipt)
    assert attested.args.signers == [_address(AUDITOR_KEYS[0])]
    assert bytes(attested.args.digest) == digest
    assert contract.functions.isAttested(EPOCH).call() is True
    assert contract.functions.isSolvent(EPOCH).call() is True  # 5.25 M ≥ 5.2 M
    assert tuple(contract.functions.statementOf(EPOCH).call()) == STATEMENT.as_tuple()
    posted_flag, _, attested_at, signers = contract.functions.records(EPOCH).call()
    assert posted_flag and attested_at > 0 and signers == 1


def test_quorum_of_distinct_auditors_is_required(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    chain.transact(contract.functions.setQuorum(2), sender=OWNER)
    _post(chain, contract)
    two = _signatures(chain, contract, STATEMENT, AUDITOR_KEYS[:2])
    _reverts_with("QuorumNotMet()", lambda: _attest(chain, contract, EPOCH, two[:1]))
    _reverts_with(
        "SignersNotAscending()", lambda: _attest(chain, contract, EPOCH, [two[0], two[0]])
    )
    _reverts_with("SignersNotAscending()", lambda: _attest(chain, contract, EPOCH, two[::-1]))
    receipt = _attest(chain, contract, EPOCH, two)
    (event,) = contract.events.EpochAttested().process_receipt(receipt)
    assert len(event.args.signers) == 2


def test_signature_of_an_unregistered_key_is_refused(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    _post(chain, contract)
    outsider = _sign(contract, STATEMENT, OUTSIDER_KEY, _chain_id(chain))
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, EPOCH, [outsider]))
    assert contract.functions.isAttested(EPOCH).call() is False


def test_auditor_signature_over_other_figures_is_refused(deployed: tuple[Chain, Any]) -> None:
    """An auditor signed reserves of 5 M; the venue posted 50 M: the signature recovers to
    another address."""
    chain, contract = deployed
    _post(chain, contract, replace(STATEMENT, reserves=50_000_000))
    signature = _sign(contract, STATEMENT, AUDITOR_KEYS[0], _chain_id(chain))
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, EPOCH, [signature]))


def test_malleable_or_malformed_signatures_are_refused(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    _post(chain, contract)
    good = _sign(contract, STATEMENT, AUDITOR_KEYS[0], _chain_id(chain))
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(good[32:64], "big")
    assert s <= n // 2  # eth-account signs low-s
    twin = good[:32] + (n - s).to_bytes(32, "big") + bytes([55 - good[64]])  # same signer
    for bad in (twin, good[:64], good[:64] + bytes([29])):
        _reverts_with("BadSignature()", lambda bad=bad: _attest(chain, contract, EPOCH, [bad]))


def test_signature_replayed_to_another_epoch_is_refused(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    _post(chain, contract)
    signatures = _signatures(chain, contract, STATEMENT, AUDITOR_KEYS[:1])
    _attest(chain, contract, EPOCH, signatures)
    _post(chain, contract, replace(STATEMENT, epoch=EPOCH + 1))  # the same figures, next epoch
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, EPOCH + 1, signatures))
    assert contract.functions.isAttested(EPOCH + 1).call() is False


def test_signature_replayed_to_another_contract_is_refused(
    compiled: Compiled, deployed: tuple[Chain, Any]
) -> None:
    chain, contract = deployed
    auditors = [_address(k) for k in AUDITOR_KEYS]
    twin = chain.deploy(compiled, chain.accounts[POSTER], auditors, sender=OWNER)
    _post(chain, contract)
    _post(chain, twin)
    signatures = _signatures(chain, contract, STATEMENT, AUDITOR_KEYS[:1])
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, twin, EPOCH, signatures))
    other_chain = _sign(contract, STATEMENT, AUDITOR_KEYS[0], _chain_id(chain) + 1)
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, EPOCH, [other_chain]))


def test_attested_epoch_is_immutable(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    _post(chain, contract)
    signatures = _signatures(chain, contract, STATEMENT, AUDITOR_KEYS[:1])
    _attest(chain, contract, EPOCH, signatures)
    repost = replace(STATEMENT, reserves=1)
    _reverts_with("AlreadyAttested()", lambda: _post(chain, contract, repost))
    _reverts_with("AlreadyAttested()", lambda: _attest(chain, contract, EPOCH, signatures))
    assert tuple(contract.functions.statementOf(EPOCH).call()) == STATEMENT.as_tuple()


def test_repost_before_attestation_voids_signatures_of_the_old_figures(
    deployed: tuple[Chain, Any],
) -> None:
    chain, contract = deployed
    _post(chain, contract)
    old = _signatures(chain, contract, STATEMENT, AUDITOR_KEYS[:1])
    corrected = replace(STATEMENT, insurance=300_000)
    _post(chain, contract, corrected)
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, EPOCH, old))
    assert _attest(
        chain, contract, EPOCH, _signatures(chain, contract, corrected, AUDITOR_KEYS[:1])
    )


def test_only_the_poster_posts_and_rotation_moves_that_right(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    for sender in (OWNER, RELAYER, NEW_POSTER):
        call = contract.functions.postEpoch(STATEMENT.as_tuple())
        _reverts_with("NotPoster()", lambda call=call, s=sender: chain.transact(call, sender=s))
    receipt = chain.transact(contract.functions.setPoster(chain.accounts[NEW_POSTER]), sender=OWNER)
    (event,) = contract.events.PosterChanged().process_receipt(receipt)
    assert event.args.newPoster == chain.accounts[NEW_POSTER]
    _reverts_with("NotPoster()", lambda: _post(chain, contract))
    call = contract.functions.postEpoch(STATEMENT.as_tuple())
    assert chain.transact(call, sender=NEW_POSTER)["status"] == 1


def test_only_the_owner_manages_auditors_and_quorum(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    outsider = _address(OUTSIDER_KEY)
    for call in (
        contract.functions.addAuditor(outsider),
        contract.functions.removeAuditor(_address(AUDITOR_KEYS[0])),
        contract.functions.setQuorum(2),
        contract.functions.setPoster(chain.accounts[RELAYER]),
    ):
        _reverts_with("NotOwner()", lambda call=call: chain.transact(call, sender=POSTER))
    receipt = chain.transact(contract.functions.addAuditor(outsider), sender=OWNER)
    assert contract.events.AuditorAdded().process_receipt(receipt)[0].args.auditor == outsider
    _reverts_with(
        "AlreadyAuditor()",
        lambda: chain.transact(contract.functions.addAuditor(outsider), sender=OWNER),
    )
    _reverts_with(
        "BadQuorum()", lambda: chain.transact(contract.functions.setQuorum(5), sender=OWNER)
    )
    chain.transact(contract.functions.setQuorum(4), sender=OWNER)
    remove = contract.functions.removeAuditor(outsider)
    _reverts_with("BadQuorum()", lambda: chain.transact(remove, sender=OWNER))
    chain.transact(contract.functions.setQuorum(3), sender=OWNER)
    chain.transact(remove, sender=OWNER)
    assert contract.functions.isAuditor(outsider).call() is False
    assert contract.functions.auditorCount().call() == 3
    # A removed auditor's signature no longer counts.
    chain.transact(contract.functions.setQuorum(1), sender=OWNER)
    _post(chain, contract)
    signature = _sign(contract, STATEMENT, OUTSIDER_KEY, _chain_id(chain))
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, EPOCH, [signature]))


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"list_root": 0}, "NotAFieldElement()"),
        ({"list_root": SCALAR_FIELD_R}, "NotAFieldElement()"),
        ({"snapshot_hash": 0}, "NotAFieldElement()"),
        ({"liabilities": 1 << 200}, "TotalOutOfRange()"),
        ({"count": 1 << 64}, "TotalOutOfRange()"),
        ({"count": 0}, "EmptyEpoch()"),
    ],
)
def test_out_of_range_statements_are_refused_on_chain_and_before_signing(
    deployed: tuple[Chain, Any], change: dict[str, int], error: str
) -> None:
    chain, contract = deployed
    fields = dict(
        zip(("epoch", "list_root", "snapshot_hash"), STATEMENT.as_tuple()[:3], strict=True)
    )
    totals = dict(zip(SolvencyTotals.names(), STATEMENT.totals.to_list(), strict=True))
    for key, value in change.items():
        (totals if key in totals else fields)[key] = value
    raw = (
        fields["epoch"], fields["list_root"], fields["snapshot_hash"], *totals.values(),
        STATEMENT.reserves, STATEMENT.insurance, STATEMENT.verifying_key,
    )  # fmt: skip
    call = contract.functions.postEpoch(raw)
    _reverts_with(error, lambda: chain.transact(call, sender=POSTER))
    with pytest.raises(MalformedInputError):
        AttestedStatement(
            epoch=fields["epoch"], list_root=fields["list_root"],
            snapshot_hash=fields["snapshot_hash"], totals=SolvencyTotals(**totals),
            reserves=STATEMENT.reserves, insurance=STATEMENT.insurance,
            verifying_key=STATEMENT.verifying_key,
        )  # fmt: skip


def test_insolvent_epoch_is_attested_but_not_solvent_and_huge_reserves_do_not_overflow(
    deployed: tuple[Chain, Any],
) -> None:
    chain, contract = deployed
    short = replace(STATEMENT, reserves=5_000_000, insurance=199_999)
    _post(chain, contract, short)
    _attest(chain, contract, EPOCH, _signatures(chain, contract, short, AUDITOR_KEYS[:1]))
    assert contract.functions.isAttested(EPOCH).call() is True
    assert contract.functions.isSolvent(EPOCH).call() is False
    huge = replace(STATEMENT, epoch=EPOCH + 1, reserves=(1 << 256) - 1, insurance=(1 << 256) - 1)
    _post(chain, contract, huge)
    _attest(chain, contract, EPOCH + 1, _signatures(chain, contract, huge, AUDITOR_KEYS[:1]))
    assert contract.functions.isSolvent(EPOCH + 1).call() is True


def test_statement_from_report_needs_a_valid_registry_checked_report() -> None:
    report = {
        "valid": True, "verdict": "SOLVENT", "registry_checked": True, "epoch": EPOCH,
        "list_root": str(STATEMENT.list_root), "snapshot_hash": str(STATEMENT.snapshot_hash),
        "totals": STATEMENT.totals.to_json(), "reserves": "5000000", "insurance": "250000",
        "key_fingerprint": STATEMENT.verifying_key.hex(),
    }  # fmt: skip
    assert statement_from_report(report) == STATEMENT
    with pytest.raises(MalformedInputError, match="verified"):
        statement_from_report({**report, "valid": False, "verdict": "INVALID"})
    with pytest.raises(MalformedInputError, match="registry"):
        statement_from_report({**report, "registry_checked": False})
    with pytest.raises(MalformedInputError, match="not a solvency verify report"):
        statement_from_report({"valid": True, "registry_checked": True})
