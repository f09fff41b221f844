"""Audit fixtures: a margin-shaped key with many valid proofs, tampered variants, JSON-lines files.

Valid proofs come from a trapdoor key (:mod:`tests.verifier.vectors`: Groth16's simulator,
three fixed-base kernel calls for any number of proofs) with margin public inputs
``[C, snapshot_hash, kind, buffer_ppm]``, several epochs each with its own snapshot hash.
:func:`rerandomise` multiplies a handful of real proofs into many with
``(A, B, C) → (t·A, t⁻¹·B, C)``, which keeps ``e(A, B)`` and hence validity, for keys
without a known trapdoor (snarkjs's).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from algebra.backend import Backend, get_backend
from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.encoding import (
    fr_vector_to_bytes,
    g1_vector_from_bytes,
    g1_vector_to_bytes,
    g2_vector_from_bytes,
    g2_vector_to_bytes,
)
from tests.verifier.vectors import ToyKey, toy_key, toy_proofs
from verifier.proof import Proof
from verifier.snarkjs_json import proof_to_json, public_inputs_to_json, verifying_key_to_json

R = SCALAR_FIELD_R
BUFFERS = (1_000_000, 1_050_000, 1_200_000, 1_250_000, 1_400_000, 1_800_000, 2_500_000, 4_000_000)


@dataclass(frozen=True)
class Entry:
    """One audit entry: id, epoch, proof and public inputs."""

    item_id: str
    epoch: int
    proof: Proof
    public: list[int]

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-lines object ``{"id", "epoch", "proof", "public"}``."""
        return {
            "id": self.item_id,
            "epoch": self.epoch,
            "proof": proof_to_json(self.proof),
            "public": public_inputs_to_json(self.public),
        }


def margin_key(backend: Backend | None = None, seed: int = 7) -> ToyKey:
    """Return a 4-input trapdoor key (margin layout)."""
    return toy_key(backend or get_backend("native"), 4, seed=seed)


def margin_entries(key: ToyKey, count: int, *, epochs: int = 3, seed: int = 1) -> list[Entry]:
    """Return ``count`` valid entries spread over ``epochs`` epochs (ids ``p00000``, …)."""
    rng = random.Random(seed)
    snapshot = [rng.randrange(R) for _ in range(epochs)]
    epoch_of = [i % epochs for i in range(count)]
    publics = [
        [rng.randrange(R), snapshot[e], rng.randrange(2), rng.choice(BUFFERS)] for e in epoch_of
    ]
    proofs = toy_proofs(get_backend("native"), key, publics, seed=seed + 1)
    return [Entry(f"p{i:05d}", 100 + epoch_of[i], proofs[i], publics[i]) for i in range(count)]


def break_pairing(entry: Entry) -> Entry:
    """Return the entry with a changed buffer, so its well-formed proof no longer verifies."""
    public = [*entry.public[:3], entry.public[3] + 1]
    return Entry(entry.item_id, entry.epoch, entry.proof, public)


def swap_c(first: Entry, second: Entry) -> Entry:
    """Return ``first`` carrying ``second``'s C point: on the curve, but invalid."""
    proof = Proof(a=first.proof.a, b=first.proof.b, c=second.proof.c)
    return Entry(first.item_id, first.epoch, proof, first.public)


def off_curve_json(entry: Entry) -> dict[str, Any]:
    """Return the entry's JSON with ``pi_a`` moved off the curve (coordinates still < q)."""
    obj = entry.to_json()
    x, y = entry.proof.a  # type: ignore[misc]
    obj["proof"]["pi_a"] = [str(x), str((y + 1) % FIELD_MODULUS_Q), "1"]
    return obj


def write_jsonl(path: Path, lines: Sequence[dict[str, Any] | str]) -> Path:
    """Write one JSON object (or raw text line) per line and return ``path``."""
    with path.open("w") as handle:
        for line in lines:
            handle.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return path


def write_vk(path: Path, key: ToyKey) -> Path:
    """Write the key as snarkjs ``verification_key.json`` and return ``path``."""
    path.write_text(json.dumps(verifying_key_to_json(key.vk)))
    return path


def rerandomise(
    backend: Backend, proofs: Sequence[Proof], count: int, seed: int = 5
) -> tuple[list[Proof], list[int]]:
    """Return ``count`` valid proofs ``(t·A, t⁻¹·B, C)`` and, for each, the index of its source."""
    rng = random.Random(seed)
    source = [i % len(proofs) for i in range(count)]
    factors = [rng.randrange(1, R) for _ in range(count)]
    a = backend.g1_scale(
        g1_vector_to_bytes([proofs[i].a for i in source]), fr_vector_to_bytes(factors)
    )
    b = backend.g2_scale(
        g2_vector_to_bytes([proofs[i].b for i in source]),
        fr_vector_to_bytes([pow(t, -1, R) for t in factors]),
    )
    a_points, b_points = g1_vector_from_bytes(a), g2_vector_from_bytes(b)
    fresh = [Proof(a=a_points[k], b=b_points[k], c=proofs[i].c) for k, i in enumerate(source)]
    return fresh, source
