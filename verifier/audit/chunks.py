"""Verify one chunk of proofs against one key: the unit of work of every audit runner.

With a batching backend (``native``) the chunk goes through
:func:`verifier.batch.batch_verify` — one random-linear-combination check, bisected to
name each invalid proof. With ``reference`` every proof is checked on its own by
:func:`verifier.verify.verify` (py_ecc), an independent second opinion that shares
neither the batching nor the native code.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.backend import get_backend
from algebra.errors import MalformedInputError
from verifier.audit.items import parse_deferred_proof
from verifier.batch import FAILED_PAIRING, batch_verify
from verifier.keys import VerifyingKey
from verifier.proof import Proof
from verifier.verify import verify

Statement = tuple[Proof, tuple[int, ...]]
ChunkStatement = tuple[Proof | object, tuple[int, ...]]
"""A statement whose proof may still be snarkjs JSON (parsed by :func:`verify_chunk`)."""
INDEPENDENT_BACKENDS = frozenset({"reference"})
"""Backends whose audit checks each proof alone instead of batching."""


def verify_chunk(
    vk: VerifyingKey, statements: Sequence[ChunkStatement], backend_name: str
) -> dict[int, str]:
    """Return ``{position in chunk: reason}`` for the invalid statements of the chunk.

    Runs on Dask workers, so it takes only picklable values and names its backend. Proofs
    still in snarkjs JSON are parsed here first (a parse failure is that item's reason).

    Raises:
        MalformedInputError: the verifying key itself is malformed.
    """
    positions: list[int] = []
    parsed: list[Statement] = []
    unparsable: dict[int, str] = {}
    for index, (proof, public) in enumerate(statements):
        outcome = proof if isinstance(proof, Proof) else parse_deferred_proof(proof)
        if isinstance(outcome, str):
            unparsable[index] = outcome
        else:
            positions.append(index)
            parsed.append((outcome, public))
    invalid = _verify_parsed(vk, parsed, backend_name)
    return dict(sorted({**unparsable, **{positions[k]: r for k, r in invalid.items()}}.items()))


def _verify_parsed(
    vk: VerifyingKey, statements: Sequence[Statement], backend_name: str
) -> dict[int, str]:
    backend = get_backend(backend_name)
    if backend_name not in INDEPENDENT_BACKENDS:
        return batch_verify(vk, statements, backend=backend).reasons
    invalid: dict[int, str] = {}
    for index, (proof, public) in enumerate(statements):
        try:
            if not verify(vk, proof, public, backend=backend):
                invalid[index] = FAILED_PAIRING
        except MalformedInputError as error:
            invalid[index] = str(error)
    return invalid
