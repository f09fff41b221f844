"""MarginAttestation: one commitment per account and epoch, owner-rotated roles, lasting records."""

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

OWNER, VENUE, ORACLE, TRADER, NEW_VENUE, NEW_ORACLE, MULTISIG = 0, 1, 2, 3, 4, 5, 6
ACCOUNT = Web3.keccak(text="account-7")
OTHER_ACCOUNT = Web3.keccak(text="account-8")
EPOCH = 42
COMMITMENT = 123456789
SNAPSHOT_HASH = 987654321
BUFFER = 1_250_000
ZERO_ADDRESS = "0x" + "00" * 20


@pytest.fixture(scope="module")
def synthetic() -> SyntheticGroth16:
    return SyntheticGroth16(4, seed=11)


@pytest.fixture(scope="module")
def compiled(synthetic: SyntheticGroth16) -> Any:
    source = render_margin_attestation(synthetic.vk)
    return compile_solidity(npm_tool("solcjs"), source, "MarginAttestation")


@pytest.fixture()
def deployed(compiled: Any) -> tuple[Chain, Any]:
    chain = Chain()
    accounts = chain.accounts
    contract = chain.deploy(compiled, accounts[VENUE], accounts[ORACLE], sender=OWNER)
    chain.transact(contract.functions.postCommitment(ACCOUNT, EPOCH, COMMITMENT), sender=VENUE)
    chain.transact(contract.functions.postSnapshotHash(EPOCH, SNAPSHOT_HASH), sender=ORACLE)
    return chain, contract


def _reverts_with(error: str, action: Any) -> None:
    with pytest.raises((ContractCustomError, TransactionFailed)) as caught:
        action()
    assert revert_data(caught.value)[:4] == bytes(Web3.keccak(text=error)[:4])


def _submit(chain: Chain, contract: Any, synthetic: SyntheticGroth16, epoch: int = EPOCH) -> Any:
    public = [COMMITMENT, SNAPSHOT_HASH, 0, BUFFER]
    a, b, c = proof_to_evm(synthetic.prove(public))
    call = contract.functions.submitProof(ACCOUNT, epoch, a, b, c, public)
    return chain.transact(call, sender=TRADER)


def test_deployer_owns_and_the_roles_are_announced(compiled: Any) -> None:
    chain = Chain()
    accounts = chain.accounts
    contract = chain.deploy(compiled, accounts[VENUE], accounts[ORACLE], sender=OWNER)
    assert contract.functions.owner().call() == accounts[OWNER]
    assert contract.functions.venue().call() == accounts[VENUE]
    assert contract.functions.oracle().call() == accounts[ORACLE]
    assert contract.events.VenueChanged().get_logs(from_block=0)[0].args.newVenue == accounts[VENUE]
    oracle_logs = contract.events.OracleChanged().get_logs(from_block=0)
    assert oracle_logs[0].args.newOracle == accounts[ORACLE]


def test_zero_address_roles_are_refused(compiled: Any, deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    factory = chain.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    deploy = factory.constructor(ZERO_ADDRESS, chain.accounts[ORACLE])
    tx = deploy.transact({"from": chain.accounts[OWNER], "gas": 5_000_000})
    assert chain.w3.eth.wait_for_transaction_receipt(tx)["status"] == 0
    set_venue = contract.functions.setVenue(ZERO_ADDRESS)
    _reverts_with("ZeroAddress()", lambda: chain.transact(set_venue, sender=OWNER))
    set_oracle = contract.functions.setOracle(ZERO_ADDRESS)
    _reverts_with("ZeroAddress()", lambda: chain.transact(set_oracle, sender=OWNER))


def test_commitment_already_posted_for_another_account_in_the_epoch_is_refused(
    deployed: tuple[Chain, Any],
) -> None:
    chain, contract = deployed
    same_c = contract.functions.postCommitment(OTHER_ACCOUNT, EPOCH, COMMITMENT)
    _reverts_with("CommitmentInUse()", lambda: chain.transact(same_c, sender=VENUE))
    assert contract.functions.commitmentOf(OTHER_ACCOUNT, EPOCH).call() == 0
    # The same C in another epoch, or another C in this epoch, is fine.
    later = contract.functions.postCommitment(OTHER_ACCOUNT, EPOCH + 1, COMMITMENT)
    assert chain.transact(later, sender=VENUE)["status"] == 1
    other_c = contract.functions.postCommitment(OTHER_ACCOUNT, EPOCH, COMMITMENT + 1)
    assert chain.transact(other_c, sender=VENUE)["status"] == 1
    assert contract.functions.commitmentPosted(EPOCH, COMMITMENT).call() is True


def test_rotated_venue_posts_and_the_old_venue_is_refused(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    receipt = chain.transact(contract.functions.setVenue(chain.accounts[NEW_VENUE]), sender=OWNER)
    (event,) = contract.events.VenueChanged().process_receipt(receipt)
    assert (event.args.previousVenue, event.args.newVenue) == (
        chain.accounts[VENUE],
        chain.accounts[NEW_VENUE],
    )
    post = contract.functions.postCommitment(OTHER_ACCOUNT, EPOCH, COMMITMENT + 9)
    _reverts_with("NotVenue()", lambda: chain.transact(post, sender=VENUE))
    assert chain.transact(post, sender=NEW_VENUE)["status"] == 1


def test_rotated_oracle_posts_and_the_old_oracle_is_refused(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    receipt = chain.transact(contract.functions.setOracle(chain.accounts[NEW_ORACLE]), sender=OWNER)
    (event,) = contract.events.OracleChanged().process_receipt(receipt)
    assert event.args.newOracle == chain.accounts[NEW_ORACLE]
    post = contract.functions.postSnapshotHash(EPOCH + 1, SNAPSHOT_HASH)
    _reverts_with("NotOracle()", lambda: chain.transact(post, sender=ORACLE))
    assert chain.transact(post, sender=NEW_ORACLE)["status"] == 1


@pytest.mark.parametrize("sender", [VENUE, ORACLE, TRADER, NEW_VENUE])
def test_only_the_owner_rotates_roles(deployed: tuple[Chain, Any], sender: int) -> None:
    chain, contract = deployed
    for call in (
        contract.functions.setVenue(chain.accounts[NEW_VENUE]),
        contract.functions.setOracle(chain.accounts[NEW_ORACLE]),
        contract.functions.transferOwnership(chain.accounts[sender]),
    ):
        _reverts_with("NotOwner()", lambda call=call: chain.transact(call, sender=sender))
    assert contract.functions.venue().call() == chain.accounts[VENUE]


def test_attestations_survive_rotation(
    deployed: tuple[Chain, Any], synthetic: SyntheticGroth16
) -> None:
    chain, contract = deployed
    _submit(chain, contract, synthetic)
    before = contract.functions.attestation(ACCOUNT, EPOCH, 0).call()
    chain.transact(contract.functions.setVenue(chain.accounts[NEW_VENUE]), sender=OWNER)
    chain.transact(contract.functions.setOracle(chain.accounts[NEW_ORACLE]), sender=OWNER)
    assert contract.functions.isCompliant(ACCOUNT, EPOCH).call() is True
    assert contract.functions.attestation(ACCOUNT, EPOCH, 0).call() == before
    assert contract.functions.commitmentOf(ACCOUNT, EPOCH).call() == COMMITMENT
    assert contract.functions.snapshotHashOf(EPOCH).call() == SNAPSHOT_HASH
    # The new roles' posts attest like the old ones'.
    next_c = contract.functions.postCommitment(ACCOUNT, EPOCH + 1, COMMITMENT)
    chain.transact(next_c, sender=NEW_VENUE)
    next_h = contract.functions.postSnapshotHash(EPOCH + 1, SNAPSHOT_HASH)
    chain.transact(next_h, sender=NEW_ORACLE)
    assert _submit(chain, contract, synthetic, EPOCH + 1)["status"] == 1
    assert contract.functions.isCompliant(ACCOUNT, EPOCH + 1).call() is True


def test_ownership_moves_in_two_steps(deployed: tuple[Chain, Any]) -> None:
    chain, contract = deployed
    accounts = chain.accounts
    receipt = chain.transact(contract.functions.transferOwnership(accounts[MULTISIG]), sender=OWNER)
    (started,) = contract.events.OwnershipTransferStarted().process_receipt(receipt)
    assert started.args.newOwner == accounts[MULTISIG]
    assert contract.functions.owner().call() == accounts[OWNER]
    accept = contract.functions.acceptOwnership()
    _reverts_with("NotPendingOwner()", lambda: chain.transact(accept, sender=TRADER))
    receipt = chain.transact(accept, sender=MULTISIG)
    (moved,) = contract.events.OwnershipTransferred().process_receipt(receipt)
    assert (moved.args.previousOwner, moved.args.newOwner) == (accounts[OWNER], accounts[MULTISIG])
    assert contract.functions.owner().call() == accounts[MULTISIG]
    assert contract.functions.pendingOwner().call() == ZERO_ADDRESS
    set_venue = contract.functions.setVenue(accounts[NEW_VENUE])
    _reverts_with("NotOwner()", lambda: chain.transact(set_venue, sender=OWNER))
    assert chain.transact(set_venue, sender=MULTISIG)["status"] == 1
    _reverts_with("NotPendingOwner()", lambda: chain.transact(accept, sender=MULTISIG))
