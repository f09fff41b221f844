"""SolvencyAttestation under attack: a quorum padded with a second, *distinct* valid signature of
the same auditor, an outsider slipped into an otherwise valid quorum, an attestation of an
epoch never posted, typed data of another domain, and ownership taken without the two steps."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from eth_keys.backends.native.jacobian import fast_multiply, inv
from eth_keys.constants import SECPK1_G, SECPK1_N
from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.exceptions import ContractCustomError

from circuits.solvency.totals import SolvencyTotals
from tests.conftest import npm_tool
from tests.onchain.evm import Chain, Compiled, compile_solidity, revert_data
from zkmargin.solvency.attestation import (
    CONTRACT_NAME,
    AttestedStatement,
    render_solvency_attestation,
    sign_statement,
    solvency_typed_data,
    typed_data_digest,
)

OWNER, POSTER, RELAYER, HEIR, STRANGER = 0, 1, 2, 3, 4
EPOCH = 7
AUDITOR_KEYS = [bytes([k]) * 32 for k in (0x51, 0x62, 0x73)]
OUTSIDER_KEY = bytes([0x84]) * 32
STATEMENT = AttestedStatement(
    epoch=EPOCH,
    list_root=0xABCDEF,
    snapshot_hash=0x123456,
    totals=SolvencyTotals(liabilities=10, deficit=2, at_risk=3, maintenance=4, initial=5, count=6),
    reserves=12,
    insurance=0,
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


def _typed(chain: Chain, contract: Any, statement: AttestedStatement = STATEMENT) -> Any:
    return solvency_typed_data(
        statement, chain_id=int(chain.w3.eth.chain_id), contract=contract.address
    )


def _post(chain: Chain, contract: Any) -> None:
    chain.transact(contract.functions.postEpoch(STATEMENT.as_tuple()), sender=POSTER)


def _attest(chain: Chain, contract: Any, signatures: list[bytes], epoch: int = EPOCH) -> Any:
    return chain.transact(contract.functions.attest(epoch, signatures), sender=RELAYER)


def _reverts_with(error: str, action: Any) -> None:
    with pytest.raises((ContractCustomError, TransactionFailed)) as caught:
        action()
    assert revert_data(caught.value)[:4] == bytes(Web3.keccak(text=error)[:4])


def _sign_with_nonce(digest: bytes, key: bytes, nonce: int) -> bytes:
    """Return a low-s ECDSA signature ``r‖s‖v`` of ``digest`` made with the nonce ``nonce``
    (not RFC 6979's): another valid signature of the same key over the same digest."""
    d = int.from_bytes(key, "big")
    z = int.from_bytes(digest, "big")
    x, y = fast_multiply(SECPK1_G, nonce)
    r = x % SECPK1_N
    s = inv(nonce, SECPK1_N) * (z + r * d) % SECPK1_N
    parity = y & 1
    if s > SECPK1_N // 2:  # the contract takes low-s only
        s, parity = SECPK1_N - s, parity ^ 1
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + parity])


def test_two_distinct_signatures_of_one_auditor_do_not_make_a_quorum_of_two(
    deployed: tuple[Chain, Any],
) -> None:
    """ECDSA is randomised: an auditor (or anyone holding one signature's key) can make many
    distinct valid signatures. The quorum counts signers, not signatures."""
    chain, contract = deployed
    chain.transact(contract.functions.setQuorum(2), sender=OWNER)
    _post(chain, contract)
    typed = _typed(chain, contract)
    digest = typed_data_digest(typed)
    assert bytes(contract.functions.digestOf(EPOCH).call()) == digest
    key = AUDITOR_KEYS[0]
    first = sign_statement(typed, key)[1]
    second = _sign_with_nonce(digest, key, nonce=0xC0FFEE)
    assert first != second
    for signature in (first, second):  # each alone is a valid signature of the auditor
        recovered = Account._recover_hash(digest, signature=signature)
        assert recovered == _address(key)
    _reverts_with("SignersNotAscending()", lambda: _attest(chain, contract, [first, second]))
    _reverts_with("SignersNotAscending()", lambda: _attest(chain, contract, [second, first]))
    assert contract.functions.isAttested(EPOCH).call() is False


def test_outsider_signature_in_an_otherwise_valid_quorum_is_refused(
    deployed: tuple[Chain, Any],
) -> None:
    """Quorum 2 met by one auditor and one unregistered key (in ascending order)."""
    chain, contract = deployed
    chain.transact(contract.functions.setQuorum(2), sender=OWNER)
    _post(chain, contract)
    typed = _typed(chain, contract)
    keys = sorted([AUDITOR_KEYS[1], OUTSIDER_KEY], key=lambda k: int(_address(k), 16))
    signatures = [sign_statement(typed, k)[1] for k in keys]
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, signatures))
    auditors = sorted(AUDITOR_KEYS[1:], key=lambda k: int(_address(k), 16))
    assert _attest(chain, contract, [sign_statement(typed, k)[1] for k in auditors])["status"]


def test_attestation_of_an_epoch_never_posted_is_refused(deployed: tuple[Chain, Any]) -> None:
    """Signatures over a statement the poster never posted cannot create the epoch."""
    chain, contract = deployed
    signature = sign_statement(_typed(chain, contract), AUDITOR_KEYS[0])[1]
    _reverts_with("UnknownEpoch()", lambda: _attest(chain, contract, [signature]))
    assert contract.functions.isSolvent(EPOCH).call() is False


@pytest.mark.parametrize("field", ["name", "version"])
def test_signature_over_another_domain_is_refused(deployed: tuple[Chain, Any], field: str) -> None:
    """The same statement signed under another EIP-712 domain name or version (e.g. a sibling
    contract's) recovers to another address."""
    chain, contract = deployed
    _post(chain, contract)
    typed = _typed(chain, contract)
    typed["domain"] = {**typed["domain"], field: typed["domain"][field] + "x"}
    signature = sign_statement(typed, AUDITOR_KEYS[0])[1]
    _reverts_with("NotAuditor(address)", lambda: _attest(chain, contract, [signature]))


def test_ownership_moves_only_in_two_steps(deployed: tuple[Chain, Any]) -> None:
    """A proposed owner has no rights until it accepts; a stranger cannot accept; a new proposal
    replaces the old one; after acceptance the old owner has none."""
    chain, contract = deployed
    outsider = _address(OUTSIDER_KEY)
    chain.transact(contract.functions.transferOwnership(chain.accounts[HEIR]), sender=OWNER)
    add = contract.functions.addAuditor(outsider)
    _reverts_with("NotOwner()", lambda: chain.transact(add, sender=HEIR))
    accept = contract.functions.acceptOwnership()
    _reverts_with("NotPendingOwner()", lambda: chain.transact(accept, sender=STRANGER))
    chain.transact(contract.functions.transferOwnership(chain.accounts[STRANGER]), sender=OWNER)
    _reverts_with("NotPendingOwner()", lambda: chain.transact(accept, sender=HEIR))
    chain.transact(accept, sender=STRANGER)
    assert contract.functions.owner().call() == chain.accounts[STRANGER]
    assert contract.functions.pendingOwner().call() == "0x" + "00" * 20
    _reverts_with("NotOwner()", lambda: chain.transact(add, sender=OWNER))
    _reverts_with("NotPendingOwner()", lambda: chain.transact(accept, sender=STRANGER))
    chain.transact(add, sender=STRANGER)
    assert contract.functions.isAuditor(outsider).call() is True
