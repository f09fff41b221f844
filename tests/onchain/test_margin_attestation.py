"""MarginAttestation on a real EVM: posting, proving, replay and every refusal path."""

from __future__ import annotations

from typing import Any

import pytest
from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.exceptions import ContractCustomError

from tests.conftest import npm_tool
from tests.onchain.evm import Chain, compile_solidity, revert_data
from tests.onchain.synthetic import SyntheticGroth16
from verifier.solidity import proof_to_evm
from zkmargin.margin.attestation import render_margin_attestation

VENUE, ORACLE, TRADER = 1, 2, 3
ACCOUNT = Web3.keccak(text="account-7")
OTHER_ACCOUNT = Web3.keccak(text="account-8")
EPOCH = 42
COMMITMENT = 123456789
SNAPSHOT_HASH = 987654321
BUFFER = 1_250_000


@pytest.fixture(scope="module")
def synthetic() -> SyntheticGroth16:
    return SyntheticGroth16(4, seed=11)


@pytest.fixture()
def attestation(synthetic: SyntheticGroth16) -> tuple[Chain, Any]:
    compiled = compile_solidity(
        npm_tool("solcjs"), render_margin_attestation(synthetic.vk), "MarginAttestation"
    )
    chain = Chain()
    contract = chain.deploy(compiled, chain.accounts[VENUE], chain.accounts[ORACLE])
    chain.transact(contract.functions.postCommitment(ACCOUNT, EPOCH, COMMITMENT), sender=VENUE)
    chain.transact(contract.functions.postSnapshotHash(EPOCH, SNAPSHOT_HASH), sender=ORACLE)
    return chain, contract


def _selector(error: str) -> bytes:
    return bytes(Web3.keccak(text=error)[:4])


def _submit(
    chain: Chain,
    contract: Any,
    synthetic: SyntheticGroth16,
    public: list[int],
    *,
    account: bytes = ACCOUNT,
    epoch: int = EPOCH,
    proof_for: list[int] | None = None,
) -> Any:
    a, b, c = proof_to_evm(synthetic.prove(proof_for or public))
    return chain.transact(
        contract.functions.submitProof(account, epoch, a, b, c, public), sender=TRADER
    )


def _reverts_with(error: str, action: Any) -> None:
    with pytest.raises((ContractCustomError, TransactionFailed)) as caught:
        action()
    assert revert_data(caught.value)[:4] == _selector(error)


def test_valid_proof_is_recorded_and_emits_an_event(
    attestation: tuple[Chain, Any], synthetic: SyntheticGroth16
) -> None:
    chain, contract = attestation
    assert contract.functions.isCompliant(ACCOUNT, EPOCH).call() is False
    receipt = _submit(chain, contract, synthetic, [COMMITMENT, SNAPSHOT_HASH, 0, BUFFER])
    assert receipt["status"] == 1
    events = contract.events.MarginAttested().process_receipt(receipt)
    assert [(e.args.epoch, e.args.kind, e.args.bufferPpm) for e in events] == [(EPOCH, 0, BUFFER)]
    assert contract.functions.isCompliant(ACCOUNT, EPOCH).call() is True
    attested, buffer, timestamp = contract.functions.attestation(ACCOUNT, EPOCH, 0).call()
    assert (attested, buffer) == (True, BUFFER) and timestamp > 0
    assert contract.functions.attestation(ACCOUNT, EPOCH, 1).call()[0] is False


def test_replaying_the_same_statement_reverts_but_a_stronger_one_is_recorded(
    attestation: tuple[Chain, Any], synthetic: SyntheticGroth16
) -> None:
    chain, contract = attestation
    statement = [COMMITMENT, SNAPSHOT_HASH, 1, BUFFER]
    _submit(chain, contract, synthetic, statement)
    _reverts_with("AlreadyAttested()", lambda: _submit(chain, contract, synthetic, statement))
    stronger = [COMMITMENT, SNAPSHOT_HASH, 1, BUFFER + 1]
    assert _submit(chain, contract, synthetic, stronger)["status"] == 1
    assert contract.functions.attestation(ACCOUNT, EPOCH, 1).call()[1] == BUFFER + 1


@pytest.mark.parametrize(
    ("error", "public", "account", "epoch"),
    [
        ("CommitmentMismatch()", [COMMITMENT + 1, SNAPSHOT_HASH, 0, BUFFER], ACCOUNT, EPOCH),
        ("UnknownCommitment()", [COMMITMENT, SNAPSHOT_HASH, 0, BUFFER], OTHER_ACCOUNT, EPOCH),
        ("UnknownCommitment()", [COMMITMENT, SNAPSHOT_HASH, 0, BUFFER], ACCOUNT, EPOCH + 1),
        ("SnapshotMismatch()", [COMMITMENT, SNAPSHOT_HASH + 1, 0, BUFFER], ACCOUNT, EPOCH),
        ("BadRequirementKind()", [COMMITMENT, SNAPSHOT_HASH, 2, BUFFER], ACCOUNT, EPOCH),
        ("BufferTooLow()", [COMMITMENT, SNAPSHOT_HASH, 0, 999_999], ACCOUNT, EPOCH),
    ],
    ids=[
        "wrong commitment",
        "unknown account",
        "unknown epoch",
        "wrong snapshot hash",
        "kind 2",
        "buffer below 1x",
    ],
)
def test_statements_that_do_not_match_the_posted_records_revert(
    attestation: tuple[Chain, Any],
    synthetic: SyntheticGroth16,
    error: str,
    public: list[int],
    account: bytes,
    epoch: int,
) -> None:
    chain, contract = attestation
    _reverts_with(
        error, lambda: _submit(chain, contract, synthetic, public, account=account, epoch=epoch)
    )
    assert contract.functions.isCompliant(ACCOUNT, EPOCH).call() is False


def test_proof_from_another_epoch_is_refused(
    attestation: tuple[Chain, Any], synthetic: SyntheticGroth16
) -> None:
    chain, contract = attestation
    chain.transact(contract.functions.postCommitment(ACCOUNT, EPOCH + 1, COMMITMENT), sender=VENUE)
    chain.transact(contract.functions.postSnapshotHash(EPOCH + 1, SNAPSHOT_HASH + 5), sender=ORACLE)
    old = [COMMITMENT, SNAPSHOT_HASH, 0, BUFFER]
    _reverts_with(
        "SnapshotMismatch()", lambda: _submit(chain, contract, synthetic, old, epoch=EPOCH + 1)
    )


def test_invalid_proof_reverts(attestation: tuple[Chain, Any], synthetic: SyntheticGroth16) -> None:
    chain, contract = attestation
    public = [COMMITMENT, SNAPSHOT_HASH, 0, BUFFER]
    wrong = [COMMITMENT, SNAPSHOT_HASH, 0, BUFFER + 7]
    _reverts_with(
        "InvalidProof()", lambda: _submit(chain, contract, synthetic, public, proof_for=wrong)
    )


def test_only_the_venue_and_the_oracle_post_and_posts_are_immutable(
    attestation: tuple[Chain, Any],
) -> None:
    chain, contract = attestation
    post_c = contract.functions.postCommitment(ACCOUNT, EPOCH + 3, 5)
    post_h = contract.functions.postSnapshotHash(EPOCH + 3, 5)
    _reverts_with("NotVenue()", lambda: chain.transact(post_c, sender=TRADER))
    _reverts_with("NotOracle()", lambda: chain.transact(post_h, sender=VENUE))
    again = contract.functions.postCommitment(ACCOUNT, EPOCH, COMMITMENT + 1)
    _reverts_with("AlreadyPosted()", lambda: chain.transact(again, sender=VENUE))
    again_h = contract.functions.postSnapshotHash(EPOCH, SNAPSHOT_HASH + 1)
    _reverts_with("AlreadyPosted()", lambda: chain.transact(again_h, sender=ORACLE))
    zero = contract.functions.postCommitment(ACCOUNT, EPOCH + 4, 0)
    _reverts_with("NotAFieldElement()", lambda: chain.transact(zero, sender=VENUE))
