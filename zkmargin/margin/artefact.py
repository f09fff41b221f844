"""The margin circuit's solve program stored beside its keys (``margin.solve``), bound to the zkey.

``zkm margin setup`` compiles the circuit once and writes the program
(:mod:`circuits.formats.solve_file`) with the SHA-256 of ``margin.zkey`` in its header, so
``zkm margin prove`` never rebuilds constraints. A key directory made before this file
existed, or whose program is stale (another zkey, e.g. after a ceremony contribution) or
corrupt, gets it rebuilt and cached on the first prove. The file is untrusted: its
binding, counts and every index are checked, and a wrong program can only produce a
witness the prover's self-check refuses.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from algebra.errors import FormatError
from circuits.frontend.solve_program import SolveProgram
from circuits.margin.errors import MarginInputError
from circuits.margin.sizes import MarginSize

if TYPE_CHECKING:
    from circuits.formats.solve_file import ProgramHeader
    from circuits.formats.solve_native import NativeSolveProgram

SOLVE_NAME = "margin.solve"


def zkey_digest(zkey_path: Path) -> bytes:
    """Return the SHA-256 of the zkey file (what a solve program is bound to)."""
    try:
        with zkey_path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()
    except OSError as error:
        raise MarginInputError(f"cannot read {zkey_path}: {error.strerror}") from None


def cached_zkey_digest(zkey_path: Path) -> bytes:
    """Return :func:`zkey_digest` of ``zkey_path``: from the cache when the file is unchanged
    (same inode, size and times) and its key directory's solve program is bound to that
    digest; otherwise hashed (and cached).

    Hashing a standard key (83 MB) costs 0.05–0.2 s of every proof, depending on the CPU's
    SHA extensions. A cached digest is trusted only where it agrees with the solve program
    that ``zkm margin setup`` (or a former prove) bound to the hashed file, so a tampered
    entry is never used; a file replaced under an identical identity would make the
    prover's self-check fail, and :func:`~zkmargin.margin.workflow.prove_margin` then
    hashes the file again.
    """
    from zkmargin.margin import cache

    key = cache.zkey_file_key(zkey_path)
    cached = cache.read_zkey_digest(key) if key is not None else None
    if cached is not None and cached == solve_program_bound_key(zkey_path.parent / SOLVE_NAME):
        return cached
    digest = zkey_digest(zkey_path)
    if key is not None:
        cache.write_zkey_digest(key, digest)
    return digest


def solve_program_bound_key(path: Path) -> bytes | None:
    """Return the key digest the ``.solve`` file at ``path`` is bound to (None if it is
    missing or malformed: the loader then rebuilds it).

    Reads only the section table and the header section, not the program (6.5 MB at
    standard, 24 MB at large), which the loader reads right after.
    """
    import json

    from circuits.formats.solve_file import HEADER, MAGIC, VERSION
    from prover.container import SectionFile

    try:
        with SectionFile(path, MAGIC, VERSION) as solve:
            header = json.loads(solve.read(HEADER))
        return bytes.fromhex(str(header["bound_key"]))
    except (OSError, FormatError, KeyError, TypeError, ValueError):
        return None


def margin_solve_program(size: MarginSize) -> SolveProgram:
    """Compile ``MarginCircuit`` of ``size`` and split its program at the snapshot's wires."""
    from circuits.frontend.solve_program import split_program
    from circuits.margin.circuit import SHARED_FIELDS
    from zkmargin.margin.workflow import compiled_margin

    return split_program(compiled_margin(size), SHARED_FIELDS)


def write_solve_program(program: SolveProgram, path: Path, digest: bytes) -> int:
    """Write ``program`` bound to ``digest`` to ``path`` atomically; return its size in bytes."""
    from circuits.formats.solve_file import encode_solve_program

    data = encode_solve_program(program, digest)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    partial.replace(path)
    return len(data)


def zkey_shape(zkey_path: Path) -> tuple[int, int]:
    """Return ``(n_wires, n_public)`` from the zkey's header sections (cheap)."""
    from prover.zkey import read_zkey_summary

    summary = read_zkey_summary(zkey_path)
    return summary.n_wires, summary.vk.n_public


def _check_shape(program: SolveProgram, shape: tuple[int, int], what: str) -> None:
    if (program.n_wires, program.n_public) != shape:
        raise FormatError(
            f"{what} has {program.n_wires} wires and {program.n_public} public inputs, the"
            f" zkey {shape[0]} and {shape[1]}"
        )


def _check_binding(
    header: ProgramHeader, path: Path, size: MarginSize, digest: bytes, shape: tuple[int, int]
) -> None:
    from circuits.margin.circuit import SHARED_FIELDS, margin_params

    if header.bound_key != digest:
        raise FormatError(f"{path} belongs to another proving key")
    if header.name != "MarginCircuit" or header.params != margin_params(size):
        raise FormatError(f"{path} is not the {size.name} margin circuit")
    if header.shared_fields != SHARED_FIELDS:
        raise FormatError(f"{path} splits the program at other inputs")
    if (header.n_wires, header.n_public) != shape:
        raise FormatError(
            f"{path} has {header.n_wires} wires and {header.n_public} public inputs, the"
            f" zkey {shape[0]} and {shape[1]}"
        )


def read_native_program(
    path: Path, size: MarginSize, digest: bytes, shape: tuple[int, int]
) -> NativeSolveProgram:
    """Return the program in ``path`` for the native interpreter, with the checks of
    :func:`read_solve_program` (its sections are bounds-checked when it runs).

    Raises:
        FormatError: missing, malformed, bound to another key, or for another circuit.
    """
    from circuits.formats.solve_native import NativeSolveProgram

    try:
        data = path.read_bytes()
    except OSError as error:
        raise FormatError(f"cannot read {path}: {error.strerror}") from None
    program = NativeSolveProgram(data, str(path))
    _check_binding(program.header, path, size, digest, shape)
    return program


def load_native_program(
    keys_dir: Path, size: MarginSize, digest: bytes, shape: tuple[int, int]
) -> tuple[NativeSolveProgram, str | None]:
    """Return the key directory's program for the native interpreter, rebuilding and
    caching it when needed (as :func:`load_solve_program`).

    Raises:
        MarginInputError: the zkey was made for another circuit than this version compiles.
    """
    path = keys_dir / SOLVE_NAME
    try:
        return read_native_program(path, size, digest, shape), None
    except FormatError as error:
        return rebuild_native_program(keys_dir, size, digest, shape, str(error))


def rebuild_native_program(
    keys_dir: Path, size: MarginSize, digest: bytes, shape: tuple[int, int], reason: str
) -> tuple[NativeSolveProgram, str]:
    """Compile the program again, cache it in ``keys_dir`` and return it for the native
    interpreter with the reason shown to the user (``reason``: why the stored one failed)."""
    from circuits.formats.solve_file import encode_solve_program
    from circuits.formats.solve_native import NativeSolveProgram

    program, rebuilt = _rebuild(keys_dir, size, digest, shape, reason)
    return NativeSolveProgram(encode_solve_program(program, digest), str(keys_dir)), rebuilt


def read_solve_program(
    path: Path, size: MarginSize, digest: bytes, shape: tuple[int, int], *, with_shared: bool
) -> SolveProgram:
    """Return the program in ``path`` if it is bound to ``digest`` and fits ``size``.

    ``shape`` is the zkey's ``(n_wires, n_public)``: checked before any witness of
    ``n_wires`` values is allocated.

    Raises:
        FormatError: missing, malformed, bound to another key, or for another circuit.
    """
    from circuits.formats.solve_file import decode_solve_program
    from circuits.margin.circuit import SHARED_FIELDS, margin_params

    try:
        data = path.read_bytes()
    except OSError as error:
        raise FormatError(f"cannot read {path}: {error.strerror}") from None
    program, bound = decode_solve_program(data, str(path), with_shared=with_shared)
    if bound != digest:
        raise FormatError(f"{path} belongs to another proving key")
    if program.name != "MarginCircuit" or dict(program.params) != margin_params(size):
        raise FormatError(f"{path} is not the {size.name} margin circuit")
    if program.shared_fields != SHARED_FIELDS:
        raise FormatError(f"{path} splits the program at other inputs")
    _check_shape(program, shape, str(path))
    return program


def load_solve_program(
    keys_dir: Path,
    size: MarginSize,
    digest: bytes,
    shape: tuple[int, int],
    *,
    with_shared: bool = True,
) -> tuple[SolveProgram, str | None]:
    """Return the key directory's solve program, rebuilding and caching it when needed.

    Returns:
        The program and, when it had to be rebuilt, why (for the user to see).

    Raises:
        MarginInputError: the zkey was made for another circuit than this version compiles.
    """
    from circuits.margin.circuit import margin_params  # noqa: F401  (registers margin hints)

    path = keys_dir / SOLVE_NAME
    try:
        return read_solve_program(path, size, digest, shape, with_shared=with_shared), None
    except FormatError as error:
        reason = str(error)
    return _rebuild(keys_dir, size, digest, shape, reason)


def _rebuild(
    keys_dir: Path, size: MarginSize, digest: bytes, shape: tuple[int, int], reason: str
) -> tuple[SolveProgram, str]:
    """Compile the program, check it fits the zkey, and cache it in ``keys_dir``."""
    program = margin_solve_program(size)
    try:
        _check_shape(program, shape, f"the {size.name} margin circuit")
    except FormatError as error:
        raise MarginInputError(
            f"{keys_dir / 'margin.zkey'} does not belong to the {size.name} margin circuit of"
            f" this zkm ({error}): make the keys again with `zkm margin setup`"
        ) from None
    try:
        write_solve_program(program, keys_dir / SOLVE_NAME, digest)
    except OSError:
        reason += " (and the key directory is read-only: not cached)"
    return program, reason
