"""The trader's flow as library calls: set up keys for a size, prove, verify.

Key directory layout: ``margin.zkey`` (snarkjs format), ``verification_key.json`` and
``margin.json`` (the size and constraint count). A proof directory holds snarkjs's
``proof.json`` and ``public.json`` (``[C, snapshot_hash, requirement_kind, buffer_ppm]``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circuits.margin.errors import MarginInputError
from circuits.margin.model import MarketSnapshot, Opening
from circuits.margin.sizes import MarginSize, check_fits, get_size
from circuits.margin.statement import MarginPublicInputs

if TYPE_CHECKING:
    from circuits.frontend import CompiledCircuit
    from verifier.proof import Proof

ZKEY_NAME = "margin.zkey"
VK_NAME = "verification_key.json"
META_NAME = "margin.json"


@lru_cache(maxsize=3)
def compiled_margin(size: MarginSize) -> CompiledCircuit:
    """Return the compiled ``MarginCircuit`` of ``size`` (cached: standard takes seconds)."""
    from circuits.frontend import compile
    from circuits.margin.circuit import MarginCircuit, margin_params

    return compile(MarginCircuit, margin_params(size))


def setup_keys(size: MarginSize, out_dir: Path, *, ptau: Path | None = None) -> dict[str, Any]:
    """Write keys for ``size`` into ``out_dir`` (UNSAFE dev setup unless ``ptau`` is given)."""
    from prover.setup import setup_dev, setup_from_ptau
    from prover.zkey import write_zkey
    from verifier.snarkjs_json import verifying_key_to_json

    circuit = compiled_margin(size)
    pk = setup_dev(circuit.r1cs) if ptau is None else setup_from_ptau(circuit.r1cs, ptau)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_zkey(pk, out_dir / ZKEY_NAME)
    (out_dir / VK_NAME).write_text(json.dumps(verifying_key_to_json(pk.vk), indent=1) + "\n")
    meta = {
        "size": size.name,
        "params": size.params(),
        "n_constraints": circuit.n_constraints,
        "unsafe_dev_setup": ptau is None,
    }
    (out_dir / META_NAME).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def keys_size(keys_dir: Path) -> MarginSize:
    """Return the size recorded in ``keys_dir/margin.json``; MarginInputError if unusable."""
    try:
        meta = json.loads((keys_dir / META_NAME).read_text())
        size = get_size(str(meta["size"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MarginInputError(f"{keys_dir} holds no margin keys ({META_NAME}: {error})") from None
    if meta.get("params") != size.params():
        raise MarginInputError(f"{keys_dir / META_NAME}: parameters do not match size {size.name}")
    return size


def prove_margin(
    opening: Opening, snapshot: MarketSnapshot, keys_dir: Path, kind: int, buffer_ppm: int
) -> tuple[Proof, list[int]]:
    """Return a proof that ``opening`` meets ``kind`` under ``buffer_ppm`` and its public inputs.

    Raises:
        MarginInputError: bad keys directory, snapshot shape or statement.
        NotCompliantError: the account is not compliant (no proof exists).
    """
    from circuits.margin.witness import build_assignment
    from prover.prove import prove
    from prover.zkey import read_zkey

    size = keys_size(keys_dir)
    check_fits(snapshot, size)
    assignment = build_assignment(opening, snapshot, kind, buffer_ppm)
    witness = compiled_margin(size).solve(assignment)
    return prove(read_zkey(keys_dir / ZKEY_NAME), witness)


@dataclass(frozen=True)
class MarginVerdict:
    """The outcome of verifying a margin proof against a snapshot."""

    valid: bool
    statement: MarginPublicInputs
    reason: str


def verify_margin(
    proof: Proof,
    public: list[int],
    snapshot: MarketSnapshot,
    keys_dir: Path,
    commitment: int | None = None,
) -> MarginVerdict:
    """Return whether ``proof`` proves ``public`` for ``snapshot`` (and ``commitment`` if given).

    Raises:
        MarginInputError / MalformedInputError: malformed statement, key or snapshot shape.
    """
    from circuits.margin.witness import cached_snapshot_hash
    from verifier.snarkjs_json import verifying_key_from_json
    from verifier.verify import verify

    statement = MarginPublicInputs.from_list(public)
    check_fits(snapshot, keys_size(keys_dir))
    if statement.snapshot_hash != cached_snapshot_hash(snapshot):
        return MarginVerdict(False, statement, "the proof is about another snapshot")
    if commitment is not None and statement.commitment != commitment:
        return MarginVerdict(False, statement, "the proof is about another commitment")
    vk = verifying_key_from_json(json.loads((keys_dir / VK_NAME).read_text()))
    if not verify(vk, proof, statement.to_list()):
        return MarginVerdict(False, statement, "the Groth16 proof does not verify")
    return MarginVerdict(True, statement, "valid")
