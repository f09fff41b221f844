"""Compile Solidity with the pinned solc from npm and run it on py-evm (eth-tester + web3).

solc runs as ``solcjs --standard-json`` with the optimizer and EVM version pinned, so gas
numbers are reproducible. Gas is read from transaction receipts with a generous limit,
never from ``estimate_gas`` (which bisects and misleads for precompile-heavy calls).
"""

from __future__ import annotations

import ast
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth._utils.address import force_bytes_to_address
from eth.abc import ComputationAPI
from eth.precompiles.ecadd import ecadd
from eth.precompiles.ecmul import ecmul
from eth.precompiles.ecpairing import ecpairing
from eth.vm.forks.istanbul.constants import (
    GAS_ECADD,
    GAS_ECMUL,
    GAS_ECPAIRING_BASE,
    GAS_ECPAIRING_PER_POINT,
)
from eth.vm.forks.prague import PragueVM
from eth.vm.forks.prague.computation import PragueComputation
from eth.vm.forks.prague.state import PragueState
from eth_tester import EthereumTester, PyEVMBackend
from web3 import EthereumTesterProvider, Web3

EVM_VERSION = "cancun"
OPTIMIZER_RUNS = 200
GAS_LIMIT = 5_000_000


@dataclass(frozen=True)
class Compiled:
    """One compiled contract: its ABI and creation bytecode."""

    abi: list[dict[str, Any]]
    bytecode: str


def compile_solidity(solcjs: Path, source: str, contract: str) -> Compiled:
    """Compile ``source`` and return ``contract``; raise AssertionError with solc's errors."""
    request = {
        "language": "Solidity",
        "sources": {"Main.sol": {"content": source}},
        "settings": {
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "evmVersion": EVM_VERSION,
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    done = subprocess.run(
        [str(solcjs), "--standard-json"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    output = json.loads(done.stdout[done.stdout.index("{") :])
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    assert not errors, "\n".join(e["formattedMessage"] for e in errors)
    artifact = output["contracts"]["Main.sol"][contract]
    return Compiled(abi=artifact["abi"], bytecode="0x" + artifact["evm"]["bytecode"]["object"])


def revert_data(error: BaseException) -> bytes:
    """Return the revert data carried by a web3/eth-tester exception (b"" if none)."""
    for arg in (*getattr(error, "args", ()), getattr(error, "data", None)):
        if isinstance(arg, bytes | bytearray):
            return bytes(arg)
        if isinstance(arg, str) and arg.startswith("0x"):
            return bytes.fromhex(arg[2:])
        if isinstance(arg, BaseException):
            return revert_data(arg)
        if isinstance(arg, str) and ("b'" in arg or 'b"' in arg):
            # eth-tester reports raw revert data only as the repr of a bytes object.
            start = arg.index("b'") if "b'" in arg else arg.index('b"')
            value = ast.literal_eval(arg[start:])
            if isinstance(value, bytes):
                return value
    cause = error.__cause__ or error.__context__
    return revert_data(cause) if cause is not None else b""


BN254_PRECOMPILES = {6: "ecAdd", 7: "ecMul", 8: "ecPairing"}
"""The EIP-196/197 precompiles by address."""


def _bn254_precompiles(
    price_factor: int, calls: list[str]
) -> dict[Any, Callable[[ComputationAPI], ComputationAPI]]:
    """Return the BN254 precompiles at ``price_factor`` × their EIP-1108 prices, counting calls."""
    priced: dict[int, Callable[[ComputationAPI], ComputationAPI]] = {
        6: ecadd(gas_cost=price_factor * GAS_ECADD),
        7: ecmul(gas_cost=price_factor * GAS_ECMUL),
        8: ecpairing(
            gas_cost_base=price_factor * GAS_ECPAIRING_BASE,
            gas_cost_per_point=price_factor * GAS_ECPAIRING_PER_POINT,
        ),
    }

    def counted(
        address: int, inner: Callable[[ComputationAPI], ComputationAPI]
    ) -> Callable[[ComputationAPI], ComputationAPI]:
        def run(computation: ComputationAPI) -> ComputationAPI:
            calls.append(BN254_PRECOMPILES[address])
            return inner(computation)

        return run

    return {force_bytes_to_address(bytes([a])): counted(a, f) for a, f in priced.items()}


def repriced_vm(price_factor: int, calls: list[str]) -> type[PragueVM]:
    """Return eth-tester's default VM (Prague) with the BN254 precompiles repriced.

    ``price_factor`` multiplies ecAdd's, ecMul's and ecPairing's gas (base and per pair), as a
    fork that repriced them would; every call to them is appended to ``calls``.
    """
    table = {**PragueComputation.get_precompiles(), **_bn254_precompiles(price_factor, calls)}
    computation = type("RepricedComputation", (PragueComputation,), {"_precompiles": table})
    state = type("RepricedState", (PragueState,), {"computation_class": computation})
    return type("RepricedPragueVM", (PragueVM,), {"_state_class": state})


class Chain:
    """A fresh in-memory py-evm chain with funded accounts.

    Args:
        precompile_price_factor: multiplies the BN254 precompiles' EIP-1108 prices (1: today's).

    Attributes:
        precompile_price_factor: the factor the chain was made with.
        precompile_calls: the BN254 precompiles called so far, in order (simulations included).
    """

    def __init__(self, precompile_price_factor: int = 1) -> None:
        self.precompile_price_factor = precompile_price_factor
        self.precompile_calls: list[str] = []
        vm = repriced_vm(precompile_price_factor, self.precompile_calls)
        self.tester = EthereumTester(PyEVMBackend(vm_configuration=((0, vm),)))
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts: list[str] = list(self.w3.eth.accounts)

    def deploy(self, compiled: Compiled, *args: Any, sender: int = 0) -> Any:
        """Deploy and return a web3 contract object."""
        factory = self.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
        tx = factory.constructor(*args).transact({"from": self.accounts[sender], "gas": GAS_LIMIT})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)

    def transact(self, call: Any, *, sender: int = 0) -> Any:
        """Send ``call`` as a transaction with a generous gas limit and return its receipt.

        The call is simulated first, so a revert raises (e.g. ``ContractCustomError`` carrying
        the custom error's selector) instead of being mined silently with status 0.
        """
        call.call({"from": self.accounts[sender], "gas": GAS_LIMIT})
        tx = call.transact({"from": self.accounts[sender], "gas": GAS_LIMIT})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["status"] == 1, "the simulated call succeeded but the transaction reverted"
        return receipt
