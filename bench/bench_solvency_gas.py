"""Gas of SolvencyAttestation: deploying, posting an epoch, attesting with 1 … 3 auditors.

Same pinned solc settings and py-evm chain as ``bench/bench_gas.py`` (gas from transaction
receipts). For the alternative design — verifying a chunk proof on-chain — the same chain
measures a 4-public-input Groth16 verification (``SolvencyChunk`` has 4 public inputs) with
zkmargin's verifier on a synthetic key (the verifier's cost does not depend on the circuit).
Prints a markdown table.

Run: python bench/bench_solvency_gas.py   (needs `npm ci` in tests/interop)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eth_account import Account  # noqa: E402

from circuits.solvency.totals import SolvencyTotals  # noqa: E402
from tests.onchain.evm import Chain, compile_solidity  # noqa: E402
from tests.onchain.synthetic import SyntheticGroth16  # noqa: E402
from verifier.solidity import proof_to_evm, render_verifier  # noqa: E402
from zkmargin.solvency.attestation import (  # noqa: E402
    CONTRACT_NAME,
    AttestedStatement,
    render_solvency_attestation,
    sign_statement,
    solvency_typed_data,
)

SOLCJS = ROOT / "tests" / "interop" / "node_modules" / ".bin" / "solcjs"
KEYS = [bytes([k]) * 32 for k in (0x11, 0x22, 0x33)]
POSTER, RELAYER = 1, 2


def _statement(epoch: int) -> AttestedStatement:
    totals = SolvencyTotals(
        liabilities=123_456_789_012_345, deficit=98_765_432_109, at_risk=5_432_109_876,
        maintenance=87_654_321_098, initial=176_543_210_987, count=100_000,
    )  # fmt: skip
    return AttestedStatement(
        epoch=epoch, list_root=(1 << 250) + epoch, snapshot_hash=(1 << 249) + epoch,
        totals=totals, reserves=10**15, insurance=10**13, verifying_key=bytes(range(32)),
    )  # fmt: skip


def _signatures(chain: Chain, contract: Any, statement: AttestedStatement, n: int) -> list[bytes]:
    keys = sorted(KEYS[:n], key=lambda k: int(Account.from_key(k).address, 16))
    typed = solvency_typed_data(
        statement, chain_id=chain.w3.eth.chain_id, contract=contract.address
    )
    return [sign_statement(typed, k)[1] for k in keys]


def measure() -> dict[str, int]:
    """Return the gas of each step (transaction gas from receipts)."""
    compiled = compile_solidity(SOLCJS, render_solvency_attestation(), CONTRACT_NAME)
    chain = Chain()
    auditors = [Account.from_key(k).address for k in KEYS]
    factory = chain.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    tx = factory.constructor(chain.accounts[POSTER], auditors).transact(
        {"from": chain.accounts[0], "gas": 5_000_000}
    )
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx)
    contract = chain.w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)
    gas = {"deploy (3 auditors)": receipt["gasUsed"]}
    for n in (1, 2, 3):
        chain.transact(contract.functions.setQuorum(n), sender=0)
        statement = _statement(100 + n)
        post = chain.transact(contract.functions.postEpoch(statement.as_tuple()), sender=POSTER)
        gas.setdefault("postEpoch (new epoch)", post["gasUsed"])
        if n == 1:
            again = chain.transact(
                contract.functions.postEpoch(statement.as_tuple()), sender=POSTER
            )
            gas["postEpoch (correction before attestation)"] = again["gasUsed"]
        signatures = _signatures(chain, contract, statement, n)
        call = contract.functions.attest(statement.epoch, signatures)
        gas[f"attest, quorum {n}"] = chain.transact(call, sender=RELAYER)["gasUsed"]
    gas["verifyProof, 4 public inputs (alternative b)"] = _groth16_verify_gas()
    return gas


def _groth16_verify_gas() -> int:
    synthetic = SyntheticGroth16(4, seed=5)
    source = render_verifier(synthetic.vk, contract_name="ChunkVerifier")
    compiled = compile_solidity(SOLCJS, source, "ChunkVerifier")
    chain = Chain()
    verifier = chain.deploy(compiled)
    public = synthetic.random_inputs()
    a, b, c = proof_to_evm(synthetic.prove(public))
    call = verifier.functions.verifyProof(a, b, c, public)
    assert call.call() is True
    return int(chain.transact(call, sender=RELAYER)["gasUsed"])


def main() -> None:
    """Print the gas table."""
    print("| step | gas |\n|---|---:|")
    for step, used in measure().items():
        print(f"| {step} | {used:,} |")


if __name__ == "__main__":
    main()
