"""Gas of zkmargin's Solidity verifier against snarkjs's exported verifier, same keys, same EVM.

For 1 to 8 public inputs: a circom circuit of our own is compiled (circom2), set up and proved
with snarkjs; both verifiers are generated for the same verification key (ours by
``render_verifier``, snarkjs's by ``snarkjs zkey export solidityverifier``), compiled with the
same pinned solc settings, deployed on py-evm, and called in transactions (gas from receipts).
Prints a markdown table: valid-proof gas at today's EIP-1108 prices and with every BN254
precompile ``PRICE_HEADROOM``× dearer (a patched py-evm gas schedule), the precompile floor
(181,150 + 6,150 per input, plus the transaction's 21,000 and calldata), and what refusing a
malformed proof (A off the curve) and a B on the twist outside G2 costs, with a 5,000,000 gas
limit.

Run: python bench/bench_gas.py [--max-inputs 8]   (needs `npm ci` in tests/interop)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from algebra.encoding import g2_from_bytes  # noqa: E402
from tests.onchain.evm import Chain, compile_solidity  # noqa: E402
from verifier.snarkjs_json import (  # noqa: E402
    proof_from_json,
    public_inputs_from_json,
    verifying_key_from_json,
)
from verifier.solidity import (  # noqa: E402
    PRICE_HEADROOM,
    g2_to_evm,
    proof_to_evm,
    render_verifier,
)

BIN = ROOT / "tests" / "interop" / "node_modules" / ".bin"
WORK = Path.home() / ".cache" / "zkmargin" / "bench" / "gas"
CIRCUIT = """pragma circom 2.1.0;
template Inputs(n) {{
    signal input x[n];
    signal input w;
    signal acc[n];
    acc[0] <== x[0] * w;
    for (var i = 1; i < n; i++) {{ acc[i] <== acc[i - 1] * x[i] + w; }}
}}
component main {{public [x]}} = Inputs({n});
"""


def _run(*args: str | Path, cwd: Path) -> None:
    subprocess.run([str(a) for a in args], cwd=cwd, check=True, capture_output=True, timeout=900)


def _ptau() -> Path:
    ptau = WORK / "pot8_final.ptau"
    if not ptau.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        # A contribution matters: an uncontributed ptau has τ = 1 and degenerate keys.
        _run(BIN / "snarkjs", "powersoftau", "new", "bn128", "8", "pot8_0.ptau", cwd=WORK)
        _run(
            BIN / "snarkjs",
            "powersoftau",
            "contribute",
            "pot8_0.ptau",
            "pot8_1.ptau",
            "--name=bench",
            "-e=zkmargin gas bench",
            cwd=WORK,
        )
        _run(
            BIN / "snarkjs", "powersoftau", "prepare", "phase2", "pot8_1.ptau", ptau.name, cwd=WORK
        )
    return ptau


def _artifacts(n_inputs: int) -> Path:
    """Compile, set up and prove the n-input circuit with snarkjs; return its directory."""
    out = WORK / f"inputs{n_inputs}"
    if (out / "SnarkjsVerifier.sol").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    (out / "c.circom").write_text(CIRCUIT.format(n=n_inputs))
    _run(BIN / "circom2", "c.circom", "--r1cs", "--wasm", "-o", ".", cwd=out)
    _run(BIN / "snarkjs", "groth16", "setup", "c.r1cs", _ptau(), "c0.zkey", cwd=out)
    _run(
        BIN / "snarkjs",
        "zkey",
        "contribute",
        "c0.zkey",
        "c.zkey",
        "--name=bench",
        "-e=gas",
        cwd=out,
    )
    inputs = {"x": [str(3 + i) for i in range(n_inputs)], "w": "7"}
    (out / "input.json").write_text(json.dumps(inputs))
    _run(BIN / "snarkjs", "wtns", "calculate", "c_js/c.wasm", "input.json", "w.wtns", cwd=out)
    _run(
        BIN / "snarkjs",
        "groth16",
        "prove",
        "c.zkey",
        "w.wtns",
        "proof.json",
        "public.json",
        cwd=out,
    )
    _run(BIN / "snarkjs", "zkey", "export", "verificationkey", "c.zkey", "vk.json", cwd=out)
    _run(
        BIN / "snarkjs",
        "zkey",
        "export",
        "solidityverifier",
        "c.zkey",
        "SnarkjsVerifier.sol",
        cwd=out,
    )
    return out


def _gas(chain: Chain, contract: Any, args: tuple[Any, ...]) -> tuple[int, bool]:
    call = contract.functions.verifyProof(*args)
    result = bool(call.call())
    tx = call.transact({"from": chain.accounts[0], "gas": 5_000_000})
    return int(chain.w3.eth.wait_for_transaction_receipt(tx)["gasUsed"]), result


def _b_outside_g2() -> Any:
    """Return a point on the twist but outside G2, in EVM order."""
    from tests.algebra.curve_helpers import twist_point_outside_g2

    return g2_to_evm(g2_from_bytes(twist_point_outside_g2()))


def measure(n_inputs: int) -> dict[str, int]:
    """Return gas figures for one input count (valid, malformed and B ∉ G2, both verifiers).

    Valid proofs are measured at today's EIP-1108 prices and with every BN254 precompile
    ``PRICE_HEADROOM``× dearer; the refusals at today's prices.
    """
    out = _artifacts(n_inputs)
    vk = verifying_key_from_json(json.loads((out / "vk.json").read_text()))
    proof = proof_from_json(json.loads((out / "proof.json").read_text()))
    public = public_inputs_from_json(json.loads((out / "public.json").read_text()))
    a, b, c = proof_to_evm(proof)
    solcjs = BIN / "solcjs"
    ours = compile_solidity(solcjs, render_verifier(vk), "Groth16Verifier")
    theirs = compile_solidity(solcjs, (out / "SnarkjsVerifier.sol").read_text(), "Groth16Verifier")
    row: dict[str, int] = {"inputs": n_inputs}
    malformed_a = [a[0], (a[1] + 1)]  # off the curve, coordinates still < q
    for factor, suffix in ((1, ""), (PRICE_HEADROOM, "_repriced")):
        chain = Chain(precompile_price_factor=factor)
        for label, compiled in (("zkm", ours), ("snarkjs", theirs)):
            contract = chain.deploy(compiled)
            row[label + suffix], ok = _gas(chain, contract, (a, b, c, public))
            assert ok, f"{label} verifier rejected a valid proof at {factor}x prices"
            if factor != 1:
                continue
            row[f"{label}_malformed"], bad = _gas(chain, contract, (malformed_a, b, c, public))
            assert not bad, f"{label} verifier accepted a malformed proof"
            row[f"{label}_outside_g2"], bad = _gas(chain, contract, (a, _b_outside_g2(), c, public))
            assert not bad, f"{label} verifier accepted a B outside G2"
    calldata = 4 + 32 * (8 + n_inputs)
    row["floor"] = 21_000 + 181_150 + 6_150 * n_inputs + 16 * calldata
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-inputs", type=int, default=8)
    args = parser.parse_args()
    k = PRICE_HEADROOM
    print(
        f"| inputs | zkm gas | snarkjs gas | zkm − snarkjs | floor (≈) | zkm at {k}× prices"
        f" | snarkjs at {k}× prices | zkm malformed | snarkjs malformed"
        " | zkm B ∉ G2 | snarkjs B ∉ G2 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in range(1, args.max_inputs + 1):
        r = measure(n)
        print(
            f"| {n} | {r['zkm']:,} | {r['snarkjs']:,} | {r['zkm'] - r['snarkjs']:+,}"
            f" | {r['floor']:,} | {r['zkm_repriced']:,} | {r['snarkjs_repriced']:,}"
            f" | {r['zkm_malformed']:,} | {r['snarkjs_malformed']:,}"
            f" | {r['zkm_outside_g2']:,} | {r['snarkjs_outside_g2']:,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
