"""Read and write snarkjs Groth16 ``.zkey`` files (iden3 container, magic ``zkey``).

Sections (all integers little-endian; points affine, each coordinate a 32-byte
little-endian Montgomery word ``x·2^256 mod q``; the point at infinity is all zeros):

1. protocol id, u32 = 1 (Groth16);
2. header: ``n8q ‖ q ‖ n8r ‖ r ‖ nVars ‖ nPublic ‖ domainSize`` then α₁, β₁, β₂, γ₂, δ₁, δ₂;
3. IC: ``nPublic + 1`` G1 points (γ-scaled);
4. coefficients: u32 count, then ``matrix (0=A, 1=B) ‖ constraint ‖ signal`` (u32 each)
   and the value as 32 bytes holding ``x·R² mod r`` with R = 2^256 (snarkjs's prover
   multiplies it by the raw witness in Montgomery arithmetic);
5. A, 6. B in G1, 7. B in G2 (``nVars`` points each); 8. C: the L query for wires
   ``nPublic+1 …``; 9. H: ``domainSize`` points; 10. contributions (ceremony transcript).

zkmargin adds one section of its own, :data:`METADATA_SECTION`, only to dev-setup keys,
recording their provenance; snarkjs ignores sections it does not know. A key's
:class:`~verifier.provenance.KeyProvenance` is judged by :func:`judge_provenance` from the
file's structure first, so deleting that section does not make a dev key look like a
ceremony key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from algebra.backend import Backend, CsrMatrix, G1Bases, G2Bases, R1csMatrices, get_backend
from algebra.constants import (
    FIELD_MODULUS_Q,
    G1_BYTES,
    G2_BYTES,
    G2_GENERATOR,
    SCALAR_FIELD_R,
)
from algebra.encoding import g1_from_bytes, g1_to_bytes, g2_from_bytes, g2_to_bytes
from algebra.errors import FormatError, MalformedInputError
from algebra.types import G2
from circuits.formats.binfile import SectionReader, check_field_header, field_header
from prover.container import SectionFile, write_container
from prover.keys import (
    EMPTY_CONTRIBUTIONS,
    LoadedProvingKey,
    PreparedProvingKey,
    ProvingKey,
)
from prover.qap import MAX_DOMAIN_LOG, csr_entries
from verifier.keys import VerifyingKey
from verifier.provenance import KeyProvenance, parse_provenance

if TYPE_CHECKING:
    import numpy as np

GROTH16_PROTOCOL_ID = 1
METADATA_SECTION = 0x7A6B6D01
"""zkmargin's own section: UTF-8 JSON ``{"generator": "zkmargin", "provenance": "dev", …}``.

Files written before provenance existed carry ``"unsafe_dev_setup": true`` instead (read as
``dev``); new files carry both, so older zkm versions still read them.
"""
_HEADER_POINTS = (G1_BYTES, G1_BYTES, G2_BYTES, G2_BYTES, G1_BYTES, G2_BYTES)
_Loaded = TypeVar("_Loaded", G1Bases, G2Bases, R1csMatrices)
_SECTION_ORDER = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)
"""The order snarkjs's ``zkey new`` writes sections in (kept so our files match byte for byte)."""


def _from_montgomery(backend: Backend, words: bytes, what: str) -> bytes:
    try:
        return backend.fq_from_montgomery(words)
    except MalformedInputError as error:
        raise FormatError(f"{what}: {error}") from error


def _read_header(zkey: SectionFile) -> tuple[int, int, int, bytes]:
    """Return ``(n_vars, n_public, domain_size, raw header points)`` from sections 1 and 2."""
    protocol = SectionReader(zkey.read(1), f"{zkey.what} section 1")
    if protocol.u32() != GROTH16_PROTOCOL_ID:
        raise FormatError(f"{zkey.what}: not a Groth16 zkey (protocol id is not 1)")
    protocol.finish()
    header = SectionReader(zkey.read(2), f"{zkey.what} header")
    n8q = header.u32()
    if n8q != 32 or header.uint(32) != FIELD_MODULUS_Q:
        raise FormatError(f"{zkey.what}: the base field is not BN254's q")
    check_field_header(header, SCALAR_FIELD_R, zkey.what)
    n_vars, n_public, domain_size = header.u32(), header.u32(), header.u32()
    points = header.take(sum(_HEADER_POINTS))
    header.finish()
    if domain_size < 2 or domain_size & (domain_size - 1) or domain_size > 1 << MAX_DOMAIN_LOG:
        raise FormatError(f"{zkey.what}: domain size {domain_size} is not a power of two ≤ 2^27")
    if n_vars < n_public + 1:
        raise FormatError(f"{zkey.what}: {n_vars} variables cannot hold {n_public} public inputs")
    return n_vars, n_public, domain_size, points


def _read_raw(zkey: SectionFile, kind: int, count: int, size: int) -> bytes:
    """Return section ``kind``'s body, checking it holds exactly ``count`` items of ``size``."""
    if zkey.size(kind) != count * size:
        raise FormatError(
            f"{zkey.what}: section {kind} has {zkey.size(kind)} bytes, expected {count * size}"
        )
    return zkey.read(kind)


def _read_points(zkey: SectionFile, kind: int, count: int, size: int, backend: Backend) -> bytes:
    words = _read_raw(zkey, kind, count, size)
    return _from_montgomery(backend, words, f"{zkey.what} section {kind}")


def _validate(backend: Backend, what: str, g1: list[bytes], g2: list[bytes]) -> None:
    try:
        for points in g1:
            backend.g1_validate(points)
        for points in g2:
            backend.g2_validate(points)
    except MalformedInputError as error:
        raise FormatError(f"{what}: {error}") from error


def _fr_double_montgomery(backend: Backend, values: bytes, *, inverse: bool) -> bytes:
    """Map canonical ``x`` ↔ the stored ``x·R² mod r``."""
    convert = backend.fr_from_montgomery if inverse else backend.fr_to_montgomery
    return convert(convert(values))


def _coefficient_dtype() -> np.dtype[np.void]:
    """numpy record type of one coefficient entry (numpy loads only when a key is built)."""
    import numpy as np

    return np.dtype([("m", "<u4"), ("c", "<u4"), ("s", "<u4"), ("v", "V32")])


def _read_coefficients(
    zkey: SectionFile, n_vars: int, domain_size: int, backend: Backend
) -> tuple[CsrMatrix, CsrMatrix]:
    import numpy as np

    coef_dtype = _coefficient_dtype()
    body = zkey.read(4)
    if len(body) < 4:
        raise FormatError(f"{zkey.what}: coefficient section is truncated")
    count = int.from_bytes(body[:4], "little")
    if len(body) != 4 + count * coef_dtype.itemsize:
        raise FormatError(f"{zkey.what}: coefficient section size does not match its count")
    entries = np.frombuffer(body, dtype=coef_dtype, count=count, offset=4)
    matrix, row, col = entries["m"], entries["c"], entries["s"]
    if count and (matrix.max() > 1 or row.max() >= domain_size or col.max() >= n_vars):
        raise FormatError(f"{zkey.what}: a coefficient names a matrix, row or signal out of range")
    try:
        values = _fr_double_montgomery(backend, entries["v"].tobytes(), inverse=True)
    except MalformedInputError as error:
        raise FormatError(f"{zkey.what}: coefficient section: {error}") from error
    value_rows = np.frombuffer(values, dtype=np.uint8).reshape(count, 32)
    return tuple(  # type: ignore[return-value]
        _matrix_from_entries(matrix == k, row, col, value_rows, domain_size, n_vars) for k in (0, 1)
    )


def _matrix_from_entries(
    selected: np.ndarray,
    row: np.ndarray,
    col: np.ndarray,
    values: np.ndarray,
    n_rows: int,
    n_cols: int,
) -> CsrMatrix:
    import numpy as np

    chosen = np.flatnonzero(selected)
    order = chosen[np.argsort(row[chosen], kind="stable")]
    offsets = np.zeros(n_rows + 1, dtype="<u8")
    np.cumsum(np.bincount(row[order], minlength=n_rows), out=offsets[1:])
    return CsrMatrix(
        n_rows,
        n_cols,
        offsets.tobytes(),
        col[order].astype("<u4").tobytes(),
        values[order].tobytes(),
    )


def _read_metadata(zkey: SectionFile) -> KeyProvenance | None:
    """Return the provenance the metadata section claims (None without a section or claim)."""
    if not zkey.has(METADATA_SECTION):
        return None
    try:
        meta = json.loads(zkey.read(METADATA_SECTION).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(f"{zkey.what}: zkmargin metadata section is not JSON") from error
    if not isinstance(meta, dict):
        raise FormatError(f"{zkey.what}: zkmargin metadata section is not a JSON object")
    if "provenance" in meta:
        return parse_provenance(meta["provenance"], what=f"{zkey.what} metadata provenance")
    legacy = meta.get("unsafe_dev_setup")
    if not isinstance(legacy, bool):
        raise FormatError(f"{zkey.what}: zkmargin metadata section names no provenance")
    return KeyProvenance.DEV if legacy else None


def _contribution_count(zkey: SectionFile) -> int:
    """Return the number of phase-2 contributions section 10 records (0 without a section)."""
    if not zkey.has(10):
        return 0
    if zkey.size(10) < 68:
        raise FormatError(f"{zkey.what}: contributions section is truncated")
    return int.from_bytes(zkey.read(10, 64, 4), "little")


def judge_provenance(
    claim: KeyProvenance | None, gamma_g2: G2, n_contributions: int
) -> KeyProvenance | None:
    """Return a key's provenance as far as the file itself can tell (never ``ceremony-verified``).

    - ``dev`` when the metadata says so, or when γ₂ is not the generator: every phase-2
      setup (``zkm groth16 setup``, snarkjs's) fixes γ = G2 and no contribution changes
      it, so such a key did not come from a ceremony, whatever its metadata says;
    - ``uncontributed`` when section 10 records no contribution;
    - None otherwise: contributed, but only ``zkm zkey verify`` against the circuit's
      r1cs and the ptau can make it ``ceremony-verified`` (a claim in the file cannot).
    """
    if claim is KeyProvenance.DEV or gamma_g2 != _G2_ONE:
        return KeyProvenance.DEV
    if n_contributions == 0:
        return KeyProvenance.UNCONTRIBUTED
    return None


_G2_ONE: G2 = (G2_GENERATOR[0], G2_GENERATOR[1])


def read_zkey(path: str | os.PathLike[str], *, backend: Backend | None = None) -> ProvingKey:
    """Return the proving key stored in a snarkjs Groth16 ``.zkey`` file.

    Every section is converted from Montgomery form with whole-section backend kernels;
    header, IC and the G1 queries are checked on the curve, the header's G2 points in the
    subgroup (the B₂ query is not subgroup-checked: a bad point there only yields proofs
    that verifiers reject).

    Raises:
        FormatError: the file is not a well-formed BN254 Groth16 zkey.
    """
    chosen = backend if backend is not None else get_backend()
    with SectionFile(path, b"zkey", 2) as zkey:
        n_vars, n_public, n, raw_points = _read_header(zkey)
        header = _from_montgomery(chosen, raw_points, f"{zkey.what} header")
        queries = {
            kind: _read_points(zkey, kind, count, size, chosen)
            for kind, count, size in (
                (3, n_public + 1, G1_BYTES),
                (5, n_vars, G1_BYTES),
                (6, n_vars, G1_BYTES),
                (7, n_vars, G2_BYTES),
                (8, n_vars - n_public - 1, G1_BYTES),
                (9, n, G1_BYTES),
            )
        }
        a_matrix, b_matrix = _read_coefficients(zkey, n_vars, n, chosen)
        contributions = zkey.read(10) if zkey.has(10) else EMPTY_CONTRIBUTIONS
        claim, count = _read_metadata(zkey), _contribution_count(zkey)
        what = zkey.what
    provenance = judge_provenance(claim, g2_from_bytes(_split_header(header)[3]), count)
    return _assemble(chosen, what, header, queries, (a_matrix, b_matrix), contributions, provenance)


def load_zkey(path: str | os.PathLike[str], *, backend: Backend | None = None) -> LoadedProvingKey:
    """Return a ``.zkey`` loaded for proving, its queries parsed straight into native tables.

    Same checks as :func:`read_zkey` (header and IC on the curve and in the subgroup, the
    G1 queries on the curve), but each query section's Montgomery words are checked and
    parsed straight into a native table (arkworks' own representation, so no conversion
    pass) and dropped, so the key is never held both as Python bytes and as tables.

    Raises:
        FormatError: the file is not a well-formed BN254 Groth16 zkey.
    """
    chosen = backend if backend is not None else get_backend()
    with SectionFile(path, b"zkey", 2) as zkey:
        n_vars, n_public, n, raw_points = _read_header(zkey)
        what = zkey.what
        header = _from_montgomery(chosen, raw_points, f"{what} header")
        ic = _read_points(zkey, 3, n_public + 1, G1_BYTES, chosen)
        alpha1, beta1, beta2, gamma2, delta1, delta2 = _split_header(header)
        _validate(chosen, what, [alpha1 + beta1 + delta1, ic], [beta2 + gamma2 + delta2])

        def table(load: Callable[[bytes], _Loaded], where: str, words: bytes) -> _Loaded:
            try:
                return load(words)
            except MalformedInputError as error:
                raise FormatError(f"{what} {where}: {error}") from error

        g1_load, g2_load = chosen.g1_load_bases_montgomery, chosen.g2_load_bases_montgomery
        l_h = table(
            g1_load,
            "sections 8 and 9 (L and H queries)",
            _read_raw(zkey, 8, n_vars - n_public - 1, G1_BYTES) + _read_raw(zkey, 9, n, G1_BYTES),
        )
        prepared = PreparedProvingKey(
            backend=chosen,
            a=table(g1_load, "section 5", _read_raw(zkey, 5, n_vars, G1_BYTES)),
            b_g1=table(g1_load, "section 6", _read_raw(zkey, 6, n_vars, G1_BYTES)),
            b_g2=table(g2_load, "section 7", _read_raw(zkey, 7, n_vars, G2_BYTES)),
            l_h=l_h,
            matrices=_load_matrices(zkey, chosen, n, n_vars),
            alpha_g1=alpha1,
            beta_g1=beta1,
            delta_g1=delta1,
            beta_g2=beta2,
            delta_g2=delta2,
        )
        claim, count = _read_metadata(zkey), _contribution_count(zkey)
    vk = _verifying_key(header, ic)
    provenance = judge_provenance(claim, vk.gamma_g2, count)
    return LoadedProvingKey(vk, n_vars, n, provenance, prepared)


def _load_matrices(zkey: SectionFile, backend: Backend, n: int, n_vars: int) -> R1csMatrices:
    """Load A and B from the coefficient section, streamed from the file when the backend
    can (the section is the zkey's largest: never held as bytes beside the matrices)."""
    stream = getattr(backend, "r1cs_load_zkey_file", None)
    try:
        if stream is not None:
            offset, length = zkey.locate(4)
            matrices: R1csMatrices = stream(zkey.what, offset, length, n, n_vars)
            return matrices
        return backend.r1cs_load_zkey(n, n_vars, zkey.read(4))
    except MalformedInputError as error:
        raise FormatError(f"{zkey.what} coefficient section: {error}") from error


@dataclass(frozen=True)
class ZkeySummary:
    """The verifying key and shape of a ``.zkey``, read without its (large) queries."""

    vk: VerifyingKey
    n_wires: int
    domain_size: int
    provenance: KeyProvenance | None
    n_contributions: int


def read_zkey_summary(
    path: str | os.PathLike[str], *, backend: Backend | None = None
) -> ZkeySummary:
    """Return the verifying key, shape and provenance of a ``.zkey`` without reading its queries.

    Reads sections 1–3, the count of section 10 and the metadata section.

    Raises:
        FormatError: the header or IC section is malformed.
    """
    chosen = backend if backend is not None else get_backend()
    with SectionFile(path, b"zkey", 2) as zkey:
        n_vars, n_public, n, raw_points = _read_header(zkey)
        header = _from_montgomery(chosen, raw_points, f"{zkey.what} header")
        ic = _read_points(zkey, 3, n_public + 1, G1_BYTES, chosen)
        claim, count = _read_metadata(zkey), _contribution_count(zkey)
        what = zkey.what
    alpha1, beta1, beta2, gamma2, delta1, delta2 = _split_header(header)
    _validate(chosen, what, [alpha1 + beta1 + delta1, ic], [beta2 + gamma2 + delta2])
    vk = _verifying_key(header, ic)
    return ZkeySummary(vk, n_vars, n, judge_provenance(claim, vk.gamma_g2, count), count)


def _verifying_key(header: bytes, ic: bytes) -> VerifyingKey:
    alpha1, _, beta2, gamma2, _, delta2 = _split_header(header)
    return VerifyingKey(
        alpha_g1=g1_from_bytes(alpha1),
        beta_g2=g2_from_bytes(beta2),
        gamma_g2=g2_from_bytes(gamma2),
        delta_g2=g2_from_bytes(delta2),
        gamma_abc_g1=tuple(g1_from_bytes(ic[i : i + G1_BYTES]) for i in range(0, len(ic), 64)),
    )


def _split_header(header: bytes) -> list[bytes]:
    out, pos = [], 0
    for size in _HEADER_POINTS:
        out.append(header[pos : pos + size])
        pos += size
    return out


def _assemble(
    backend: Backend,
    what: str,
    header: bytes,
    queries: dict[int, bytes],
    matrices: tuple[CsrMatrix, CsrMatrix],
    contributions: bytes,
    provenance: KeyProvenance | None,
) -> ProvingKey:
    alpha1, beta1, beta2, gamma2, delta1, delta2 = _split_header(header)
    _validate(backend, what, [alpha1 + beta1 + delta1, queries[3]], [beta2 + gamma2 + delta2])
    _validate(backend, what, [queries[5], queries[6], queries[8], queries[9]], [])
    try:
        return ProvingKey(
            vk=_verifying_key(header, queries[3]),
            beta_g1=g1_from_bytes(beta1),
            delta_g1=g1_from_bytes(delta1),
            n_wires=matrices[0].n_cols,
            domain_size=matrices[0].n_rows,
            a_query=queries[5],
            b_g1_query=queries[6],
            b_g2_query=queries[7],
            h_query=queries[9],
            l_query=queries[8],
            a_matrix=matrices[0],
            b_matrix=matrices[1],
            provenance=provenance,
            contributions=contributions,
        )
    except MalformedInputError as error:
        raise FormatError(f"{what}: {error}") from error


def _coefficient_section(pk: ProvingKey, backend: Backend) -> bytes:
    """Return section 4: A and B entries ordered by row, A before B within a row."""
    import numpy as np

    a_rows, a_cols, a_values = csr_entries(pk.a_matrix)
    b_rows, b_cols, b_values = csr_entries(pk.b_matrix)
    rows = np.concatenate([a_rows, b_rows])
    which = np.concatenate([np.zeros(len(a_rows), np.int64), np.ones(len(b_rows), np.int64)])
    order = np.lexsort((which, rows))
    entries = np.empty(len(rows), dtype=_coefficient_dtype())
    entries["m"] = which[order]
    entries["c"] = rows[order]
    entries["s"] = np.concatenate([a_cols, b_cols])[order]
    stored = _fr_double_montgomery(backend, a_values + b_values, inverse=False)
    entries["v"] = np.frombuffer(stored, dtype="V32")[order]
    return len(rows).to_bytes(4, "little") + entries.tobytes()


def _header_section(pk: ProvingKey, backend: Backend) -> bytes:
    points = b"".join(
        [
            g1_to_bytes(pk.vk.alpha_g1),
            g1_to_bytes(pk.beta_g1),
            g2_to_bytes(pk.vk.beta_g2),
            g2_to_bytes(pk.vk.gamma_g2),
            g1_to_bytes(pk.delta_g1),
            g2_to_bytes(pk.vk.delta_g2),
        ]
    )
    counts = [pk.n_wires, pk.n_public, pk.domain_size]
    return (
        field_header(FIELD_MODULUS_Q)
        + field_header(SCALAR_FIELD_R)
        + b"".join(c.to_bytes(4, "little") for c in counts)
        + backend.fq_to_montgomery(points)
    )


def write_zkey(
    pk: ProvingKey, path: str | os.PathLike[str], *, backend: Backend | None = None
) -> None:
    """Write ``pk`` as a snarkjs Groth16 ``.zkey`` (sections in snarkjs's order, atomically).

    A key without a contributions transcript gets snarkjs's empty one (a zero hash and no
    contributions); dev-setup keys also get :data:`METADATA_SECTION` naming their provenance.
    Keys of any other provenance are written exactly as snarkjs would write them: their
    provenance follows from the file (:func:`judge_provenance`).
    """
    chosen = backend if backend is not None else get_backend()
    ic = b"".join(g1_to_bytes(p) for p in pk.vk.gamma_abc_g1)
    bodies: dict[int, bytes] = {
        1: GROTH16_PROTOCOL_ID.to_bytes(4, "little"),
        2: _header_section(pk, chosen),
        3: chosen.fq_to_montgomery(ic),
        4: _coefficient_section(pk, chosen),
        5: chosen.fq_to_montgomery(pk.a_query),
        6: chosen.fq_to_montgomery(pk.b_g1_query),
        7: chosen.fq_to_montgomery(pk.b_g2_query),
        8: chosen.fq_to_montgomery(pk.l_query),
        9: chosen.fq_to_montgomery(pk.h_query),
        10: pk.contributions,
    }
    sections = [(kind, [bodies[kind]]) for kind in _SECTION_ORDER]
    if pk.provenance is KeyProvenance.DEV:
        meta = {"generator": "zkmargin", "provenance": "dev", "unsafe_dev_setup": True}
        sections.append((METADATA_SECTION, [json.dumps(meta).encode("utf-8")]))
    write_container(path, b"zkey", 1, sections)
