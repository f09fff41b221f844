"""The trader's flow as library calls: set up keys for a size, prove, verify.

Key directory layout: ``margin.zkey`` (snarkjs format), ``verification_key.json`` (with
``zkm_provenance`` and ``zkm_margin_shape``), ``margin.json`` (the size's name — a named
size or ``custom`` — its five slot counts under ``params``, the constraint count and the
keys' provenance:
``dev``, ``uncontributed`` or ``ceremony-verified``; ``unsafe`` is true for the first two) and
``margin.solve`` (the compiled solve program bound to the zkey,
:mod:`zkmargin.margin.artefact`). A proof directory holds snarkjs's ``proof.json`` and
``public.json`` (``[C, snapshot_hash, requirement_kind, buffer_ppm]``).

Proving never compiles the circuit: it reads ``margin.solve``, takes the snapshot's hashes
and the wires the snapshot alone determines from the per-snapshot cache
(:mod:`zkmargin.margin.cache`), solves the trader's own wires, and streams the zkey into
the prover's native tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circuits.margin.errors import MarginInputError
from circuits.margin.model import AccountState, MarketSnapshot, Opening
from circuits.margin.sizes import MarginSize, check_fits, check_state_fits, size_of_shape
from circuits.margin.statement import MarginPublicInputs
from zkmargin.margin.preload import MARGIN_ZKEY_NAME

if TYPE_CHECKING:
    from collections.abc import Callable

    from circuits.formats.solve_native import NativeSolveProgram
    from circuits.frontend import CompiledCircuit
    from circuits.margin.witness import Assignment
    from prover.keys import LoadedProvingKey
    from prover.prove import FixedWireSums
    from verifier.keys import VerifyingKey
    from verifier.proof import Proof
    from verifier.provenance import KeyProvenance
    from zkmargin.margin.preload import KeyPreload
    from zkmargin.margin.terms import ProverTerms

    SharedWires = list[int]
    """Indices of the private wires a solve program's shared segment writes."""

ZKEY_NAME = MARGIN_ZKEY_NAME
VK_NAME = "verification_key.json"
META_NAME = "margin.json"


@lru_cache(maxsize=3)
def compiled_margin(size: MarginSize) -> CompiledCircuit:
    """Return the compiled ``MarginCircuit`` of ``size`` (cached: standard takes seconds)."""
    from circuits.frontend import compile
    from circuits.margin.circuit import MarginCircuit, margin_params

    return compile(MarginCircuit, margin_params(size))


def setup_keys(size: MarginSize, out_dir: Path, *, ptau: Path | None = None) -> dict[str, Any]:
    """Write keys for ``size`` into ``out_dir``; return the ``margin.json`` metadata written.

    Without ``ptau`` the keys come from the dev setup (provenance ``dev``); with it they are
    the ceremony's initial phase-2 keys (``uncontributed``). Both are UNSAFE: either someone
    held the toxic waste or anyone can forge until phase-2 contributions are added.
    """
    from prover.setup import setup_dev, setup_from_ptau
    from prover.zkey import write_zkey
    from zkmargin.margin.artefact import (
        SOLVE_NAME,
        margin_solve_program,
        write_solve_program,
        zkey_digest,
    )

    circuit = compiled_margin(size)
    pk = setup_dev(circuit.r1cs) if ptau is None else setup_from_ptau(circuit.r1cs, ptau)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_zkey(pk, out_dir / ZKEY_NAME)
    provenance = pk.provenance
    assert provenance is not None
    write_verifying_key(pk.vk, provenance, out_dir, size)
    del pk
    program = margin_solve_program(size)
    digest = zkey_digest(out_dir / ZKEY_NAME)
    solve_bytes = write_solve_program(program, out_dir / SOLVE_NAME, digest)
    meta = {
        "size": size.name,
        "params": size.params(),
        "n_constraints": circuit.n_constraints,
        "solve_program_bytes": solve_bytes,
    }
    return write_keys_meta(meta, provenance, out_dir)


def write_verifying_key(
    vk: VerifyingKey, provenance: KeyProvenance, out_dir: Path, size: MarginSize | None = None
) -> None:
    """Write ``out_dir/verification_key.json`` carrying ``zkm_provenance`` and, given ``size``,
    ``zkm_margin_shape`` (the five slot counts, which the service records on registration)."""
    from verifier.snarkjs_json import verifying_key_to_json

    obj = verifying_key_to_json(vk, provenance=provenance)
    if size is not None:
        obj["zkm_margin_shape"] = size.params()
    text = json.dumps(obj, indent=1)
    (out_dir / VK_NAME).write_text(text + "\n")


def write_keys_meta(
    meta: dict[str, Any], provenance: KeyProvenance, out_dir: Path
) -> dict[str, Any]:
    """Write ``out_dir/margin.json``: ``meta`` plus ``provenance`` and ``unsafe``; return it."""
    meta = {**meta, "provenance": provenance.value, "unsafe": provenance.is_unsafe}
    (out_dir / META_NAME).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def keys_size(keys_dir: Path) -> MarginSize:
    """Return the shape recorded in ``keys_dir/margin.json``; MarginInputError if unusable.

    Key directories of a named size record its name and counts, custom ones ``custom`` and
    their counts; a named size whose counts disagree with the name is refused.
    """
    try:
        meta = json.loads((keys_dir / META_NAME).read_text())
        name, params = str(meta["size"]), meta["params"]
        if not isinstance(params, dict):
            raise TypeError("params is not an object")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MarginInputError(f"{keys_dir} holds no margin keys ({META_NAME}: {error})") from None
    try:
        size = size_of_shape(params)
    except MarginInputError as error:
        raise MarginInputError(f"{keys_dir / META_NAME}: {error}") from None
    if size.name != name:
        raise MarginInputError(f"{keys_dir / META_NAME}: parameters do not match size {name}")
    return size


def check_keys_fit(
    keys_dir: Path, snapshot: MarketSnapshot, state: AccountState | None = None
) -> MarginSize:
    """Return the keys' shape after checking the snapshot (and ``state``) fit it.

    Raises:
        MarginInputError: no keys in ``keys_dir``, or a slot that does not fit (named).
    """
    size = keys_size(keys_dir)
    check_fits(snapshot, size)
    if state is not None:
        check_state_fits(state, size)
    return size


def prove_margin(
    opening: Opening,
    snapshot: MarketSnapshot,
    keys_dir: Path,
    kind: int,
    buffer_ppm: int,
    *,
    notice: Callable[[str], None] | None = None,
    preload: KeyPreload | None = None,
    terms: ProverTerms | None = None,
) -> tuple[Proof, list[int]]:
    """Return a proof that ``opening`` meets ``kind`` under ``buffer_ppm`` and its public inputs.

    ``notice`` receives one line when the key directory's solve program had to be rebuilt.
    ``preload`` is the key directory's zkey already loading (the CLI starts it first thing);
    by default the load starts here, on a second core, while the witness is solved.
    ``terms`` are published prover terms for this snapshot and kind (``zkm margin terms``):
    they replace the shared wires' MSM work even in the snapshot's first proof here.

    Raises:
        MarginInputError: bad keys directory, snapshot shape or statement, or ``terms``
            made for another key, snapshot or kind.
        NotCompliantError: the account is not compliant (no proof exists).
        UnsatisfiedConstraintError: the witness fails a row (names it; a bug or bad key).
    """
    from circuits.margin.witness import build_assignment
    from prover.errors import ProofSelfCheckError
    from prover.prove import prove
    from zkmargin.margin import cache
    from zkmargin.margin.artefact import cached_zkey_digest, zkey_digest, zkey_shape
    from zkmargin.margin.preload import KeyPreload

    size = keys_size(keys_dir)
    check_fits(snapshot, size)
    check_state_fits(opening.state, size)
    zkey_path = keys_dir / ZKEY_NAME
    shape = zkey_shape(zkey_path)
    hashes = cache.snapshot_hashes(snapshot)
    assignment = build_assignment(opening, snapshot, kind, buffer_ppm, hashes)
    # Compliant: the key's tables load on a second core while this one hashes the key and
    # solves (a caller's preload, e.g. the CLI's, started earlier still).
    if preload is None or preload.zkey_path != zkey_path:
        preload = KeyPreload(zkey_path)
    with preload:  # an error before the key is needed waits for its load to end
        digest = cached_zkey_digest(zkey_path)
        key = cache.shared_wires_key(digest, shared_inputs(assignment))
        if terms is not None:
            terms.check_made_for(digest, key)
        repeat = cache.has_shared_wires(key)  # not this snapshot's first proof here
        witness, shared_wires = _solve(keys_dir, size, (digest, shape), assignment, key, notice)
        pk = preload.result()
    given = terms.sums if terms is not None else None
    try:
        return _prove_with_shared_sums(pk, witness, shared_wires, key, fill=repeat, given=given)
    except ProofSelfCheckError:
        # Only a stale or tampered cache entry (or wrong published terms) can get here for a
        # compliant account: recompute from scratch, checking every row (which names a bad one).
        if terms is not None and notice is not None:
            notice("the --terms file's terms did not fit this snapshot's wires: proved without")
        cache.forget("shared-wires", key)
        cache.forget("shared-sums", key)
        digest = zkey_digest(zkey_path)
        hashes = cache.snapshot_hashes(snapshot, use_cache=False)
        assignment = build_assignment(opening, snapshot, kind, buffer_ppm, hashes)
        key = cache.shared_wires_key(digest, shared_inputs(assignment))
        witness, _ = _solve(
            keys_dir, size, (digest, shape), assignment, key, notice, use_cache=False
        )
        return prove(pk, witness)


def _prove_with_shared_sums(
    pk: LoadedProvingKey,
    witness: list[int] | bytes,
    shared_wires: SharedWires,
    key: bytes,
    *,
    fill: bool,
    given: FixedWireSums | None = None,
) -> tuple[Proof, list[int]]:
    """Prove with the shared wires' MSM terms from the cache under ``key`` (filling it if
    ``fill``).

    The shared wires are the same in every proof of the snapshot (and kind), so their part
    of the four witness MSMs is computed once per snapshot on this machine and cached as
    four points (:func:`prover.prove.fixed_wire_sums`); each further proof then runs the
    MSMs over its own wires only. Splitting costs a little more than one whole MSM, so the
    terms are computed only from a snapshot's second proof on (``fill``): a trader who
    proves once per epoch pays nothing for it. A wrong cached point makes the self-check
    fail (the caller then recomputes without any cache); one that does not decode is dropped.
    ``given`` (published terms) takes the cache's place and is stored in it.
    """
    from algebra.errors import MalformedInputError
    from prover.prove import FixedWireSums, fixed_wire_sums, prove
    from zkmargin.margin import cache

    cached = cache.read_shared_sums(key) if given is None else None
    sums = given if given is not None else FixedWireSums.from_bytes(cached) if cached else None
    if given is not None:
        cache.write_shared_sums(key, given.to_bytes())
    if sums is None:
        if not fill:
            return prove(pk, witness)
        sums = fixed_wire_sums(pk, witness, shared_wires)
        cache.write_shared_sums(key, sums.to_bytes())
    try:
        return prove(pk, witness, fixed=(shared_wires, sums))
    except MalformedInputError:
        cache.forget("shared-sums", key)
        return prove(pk, witness)


def shared_inputs(assignment: Assignment) -> list[int]:
    """Return the values of the inputs every trader of the snapshot and kind shares."""
    from circuits.margin.circuit import SHARED_FIELDS

    values: list[int] = []
    for name in SHARED_FIELDS:
        value = assignment[name]
        values.extend([value] if isinstance(value, int) else value)
    return values


def solve_shared(
    keys_dir: Path,
    size: MarginSize,
    zkey: tuple[bytes, tuple[int, int]],
    assignment: Assignment,
    key: bytes,
) -> tuple[list[int] | bytes, SharedWires]:
    """Return the witness of ``assignment`` and the shared segment's wires (filling the
    shared-wires cache under ``key``), as :func:`prove_margin` solves it."""
    return _solve(keys_dir, size, zkey, assignment, key, None)


def _solve(
    keys_dir: Path,
    size: MarginSize,
    zkey: tuple[bytes, tuple[int, int]],
    assignment: Assignment,
    key: bytes,
    notice: Callable[[str], None] | None,
    *,
    use_cache: bool = True,
) -> tuple[list[int] | bytes, SharedWires]:
    """Solve with the cached shared wires under ``key`` (and fill the cache on a miss).

    ``zkey`` is the zkey's digest and ``(n_wires, n_public)``. ``use_cache=False``
    recomputes the shared wires, checks every row (naming a failing one) and replaces the
    entry. The native interpreter runs unless ``ZKM_SOLVER=reference`` (or the extension
    lacks it); it returns the witness as bytes. Also returns the private wires the shared
    segment writes (those a proof's MSMs can take from the cached terms).
    """
    import os

    from algebra.errors import BackendUnavailableError
    from circuits.formats.solve_native import SOLVER_ENV, native_solver_wanted

    n_public = zkey[1][1]
    if native_solver_wanted():
        try:
            witness, wires = _solve_native(
                keys_dir, size, zkey, assignment, key, notice, use_cache=use_cache
            )
            return witness, [wire for wire in wires if wire > n_public]
        except BackendUnavailableError:
            # The program uses a hint the native interpreter lacks: the reference solves it.
            if os.environ.get(SOLVER_ENV, "").strip().lower() == "native":
                raise
    solved, wires = _solve_reference(
        keys_dir, size, zkey, assignment, key, notice, use_cache=use_cache
    )
    return solved, [wire for wire in wires if wire > n_public]


def _solve_native(
    keys_dir: Path,
    size: MarginSize,
    zkey: tuple[bytes, tuple[int, int]],
    assignment: Assignment,
    key: bytes,
    notice: Callable[[str], None] | None,
    *,
    use_cache: bool,
) -> tuple[bytes, SharedWires]:
    from algebra.errors import FormatError
    from zkmargin.margin.artefact import load_native_program, rebuild_native_program

    program, rebuilt = load_native_program(keys_dir, size, *zkey)
    try:
        witness = _run_native(program, assignment, key, use_cache=use_cache)
    except FormatError as error:
        if rebuilt is not None:
            raise  # a freshly compiled program is malformed: a bug, not a stale file
        # The header was sound but a section is not (checked as it runs): compile again.
        program, rebuilt = rebuild_native_program(keys_dir, size, *zkey, str(error))
        witness = _run_native(program, assignment, key, use_cache=use_cache)
    if rebuilt is not None and notice is not None:
        notice(f"rebuilt {keys_dir}'s solve program: {rebuilt}")
    return witness, _u32_list(program.shared_output_wires)


def _run_native(
    program: NativeSolveProgram, assignment: Assignment, key: bytes, *, use_cache: bool
) -> bytes:
    from algebra.errors import MalformedInputError
    from zkmargin.margin import cache

    shared = cache.read_shared_bytes(key, program.n_shared_outputs) if use_cache else None
    if shared is not None:
        try:
            return program.solve(assignment, shared_values=shared, check=False)[0]
        except MalformedInputError:
            pass  # a corrupt cache entry (a value ≥ r): recompute it below
    witness, shared = program.solve(assignment, check=not use_cache)
    cache.write_shared_bytes(key, shared)
    return witness


def _solve_reference(
    keys_dir: Path,
    size: MarginSize,
    zkey: tuple[bytes, tuple[int, int]],
    assignment: Assignment,
    key: bytes,
    notice: Callable[[str], None] | None,
    *,
    use_cache: bool,
) -> tuple[list[int], SharedWires]:
    from zkmargin.margin import cache
    from zkmargin.margin.artefact import load_solve_program

    shared = cache.read_shared_wires(key) if use_cache else None
    program, rebuilt = load_solve_program(keys_dir, size, *zkey, with_shared=shared is None)
    if rebuilt is not None and notice is not None:
        notice(f"rebuilt {keys_dir}'s solve program: {rebuilt}")
    if shared is not None and len(shared) != len(program.shared_outputs):
        shared = None
        program, _ = load_solve_program(keys_dir, size, *zkey, with_shared=True)
    witness = program.solve(assignment, shared_values=shared, check=not use_cache)
    if shared is None:
        cache.write_shared_wires(key, [witness[w] for w in program.shared_outputs])
    return witness, list(program.shared_outputs)


def _u32_list(data: bytes) -> list[int]:
    """Return the little-endian u32 words of ``data`` (no numpy: the trader's path skips it)."""
    import struct

    return list(struct.unpack(f"<{len(data) // 4}I", data))


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
    # Recomputed here, never read from the on-disk cache: a verdict must not rest on a
    # file another local user could have written.
    if statement.snapshot_hash != cached_snapshot_hash(snapshot):
        return MarginVerdict(False, statement, "the proof is about another snapshot")
    if commitment is not None and statement.commitment != commitment:
        return MarginVerdict(False, statement, "the proof is about another commitment")
    vk = verifying_key_from_json(json.loads((keys_dir / VK_NAME).read_text()))
    if not verify(vk, proof, statement.to_list()):
        return MarginVerdict(False, statement, "the Groth16 proof does not verify")
    return MarginVerdict(True, statement, "valid")
