"""Keys of ``SolvencyChunk`` for a (size, chunk) pair.

Key directory layout: ``solvency.zkey`` (snarkjs format), ``verification_key.json`` and
``solvency.json`` (size, chunk, constraint count, the list-root construction's version and
whether the setup is the UNSAFE dev one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from algebra.errors import MalformedInputError
from circuits.margin.sizes import MarginSize, get_size
from circuits.solvency.epoch import LIST_TREE_VERSION

if TYPE_CHECKING:
    from circuits.frontend import CompiledCircuit
    from prover.keys import ProvingKey
    from verifier.keys import VerifyingKey

ZKEY_NAME = "solvency.zkey"
VK_NAME = "verification_key.json"
META_NAME = "solvency.json"


@dataclass(frozen=True)
class SolvencyShape:
    """The circuit shape a key set is for: margin size and chunk slots."""

    size: MarginSize
    chunk: int

    def to_json(self) -> dict[str, Any]:
        """Return ``{"size": name, "chunk": k}``."""
        return {"size": self.size.name, "chunk": self.chunk}


@lru_cache(maxsize=4)
def compiled_chunk(shape: SolvencyShape) -> CompiledCircuit:
    """Return the compiled ``SolvencyChunk`` of ``shape`` (cached: it takes seconds)."""
    from circuits.frontend import compile
    from circuits.solvency.circuit import SolvencyChunk, solvency_params

    return compile(SolvencyChunk, solvency_params(shape.size, shape.chunk))


def setup_keys(shape: SolvencyShape, out_dir: Path, *, ptau: Path | None = None) -> dict[str, Any]:
    """Write keys for ``shape`` into ``out_dir`` (UNSAFE dev setup unless ``ptau`` is given)."""
    from prover.setup import setup_dev, setup_from_ptau
    from prover.zkey import write_zkey
    from verifier.snarkjs_json import verifying_key_to_json

    circuit = compiled_chunk(shape)
    pk = setup_dev(circuit.r1cs) if ptau is None else setup_from_ptau(circuit.r1cs, ptau)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_zkey(pk, out_dir / ZKEY_NAME)
    (out_dir / VK_NAME).write_text(json.dumps(verifying_key_to_json(pk.vk), indent=1) + "\n")
    meta = {
        **shape.to_json(),
        "params": shape.size.params(),
        "n_constraints": circuit.n_constraints,
        "list_tree": LIST_TREE_VERSION,
        "unsafe_dev_setup": ptau is None,
    }
    (out_dir / META_NAME).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def keys_shape(keys_dir: Path) -> SolvencyShape:
    """Return the shape recorded in ``keys_dir/solvency.json``; MalformedInputError if unusable."""
    try:
        meta = json.loads((keys_dir / META_NAME).read_text())
        shape = SolvencyShape(get_size(str(meta["size"])), int(meta["chunk"]))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MalformedInputError(
            f"{keys_dir} holds no solvency keys ({META_NAME}: {error})"
        ) from None
    if meta.get("params") != shape.size.params():
        raise MalformedInputError(
            f"{keys_dir / META_NAME}: parameters do not match {shape.size.name}"
        )
    return shape


def check_keys_current(keys_dir: Path, shape: SolvencyShape) -> None:
    """Raise MalformedInputError unless the keys were made for today's ``SolvencyChunk`` of
    ``shape`` (same constraint count and list-root construction): stale keys would only yield
    proofs that fail. The domain-separated list tree kept the count, so its version is
    recorded beside it."""
    meta = json.loads((keys_dir / META_NAME).read_text())
    current = compiled_chunk(shape).n_constraints
    if meta.get("n_constraints") != current:
        raise MalformedInputError(
            f"{keys_dir} holds keys for a {meta.get('n_constraints')}-constraint circuit; this"
            f" version's SolvencyChunk has {current}: run zkm solvency setup again"
        )
    if meta.get("list_tree", 1) != LIST_TREE_VERSION:
        raise MalformedInputError(
            f"{keys_dir} holds keys for list-root construction {meta.get('list_tree', 1)};"
            f" this version uses {LIST_TREE_VERSION} (leaf-domain separation):"
            " run zkm solvency setup again"
        )


def load_verifying_key(path: Path) -> VerifyingKey:
    """Return the verifying key in ``path`` (a key directory or a verification_key.json)."""
    from verifier.snarkjs_json import verifying_key_from_json
    from zkmargin.commands.common import load_json_file

    return verifying_key_from_json(load_json_file(path / VK_NAME if path.is_dir() else path))


@lru_cache(maxsize=2)
def proving_key(zkey: str) -> ProvingKey:
    """Return the proving key in ``zkey`` (cached per process: Dask workers load it once)."""
    from prover.zkey import read_zkey

    return read_zkey(zkey)
