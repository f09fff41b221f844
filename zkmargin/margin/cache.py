"""Per-snapshot caches on the trader's machine: snapshot hashes, shared wires and their sums,
and the proving key's digest.

All hold only public data (a snapshot's hashes; the wires that the snapshot and the
requirement kind alone determine, and those wires' four MSM terms; a zkey's SHA-256 under
its file's identity), never a position, salt or witness of the trader. They
live under ``$ZKM_CACHE_DIR`` (default ``$XDG_CACHE_HOME/zkmargin`` or
``~/.cache/zkmargin``). Entries are keyed by a SHA-256 of what they were computed from, so a
changed snapshot or key misses; a corrupt entry is ignored, and a tampered one only yields a
witness the prover's self-check refuses (the workflow then recomputes without the cache).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from algebra.constants import FR_BYTES, SCALAR_FIELD_R

if TYPE_CHECKING:
    from circuits.margin.model import MarketSnapshot
    from circuits.margin.witness import SnapshotHashes

SHARED_SUMS_BYTES = 320
"""Three G1 points and one G2 point (:class:`prover.prove.FixedWireSums`)."""

MAX_ENTRIES = 64
"""Per kind of entry; the oldest are removed beyond this (a snapshot per epoch and kind)."""


def cache_dir() -> Path:
    """Return the cache root (created on first write)."""
    explicit = os.environ.get("ZKM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zkmargin"


def _entry(kind: str, key: bytes) -> Path:
    return cache_dir() / kind / f"{key.hex()}.bin"


def _read_values(path: Path, count: int | None) -> list[int] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) % FR_BYTES or (count is not None and len(data) != count * FR_BYTES):
        return None
    values = [int.from_bytes(data[i : i + FR_BYTES], "little") for i in range(0, len(data), 32)]
    return values if all(v < SCALAR_FIELD_R for v in values) else None


def _write_values(path: Path, values: Sequence[int]) -> None:
    _write_raw(path, b"".join(v.to_bytes(FR_BYTES, "little") for v in values))


def _write_raw(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        partial.replace(path)
        _prune(path.parent)
    except OSError:
        pass  # a cache that cannot be written only costs time


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob("*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in entries[MAX_ENTRIES:]:
        stale.unlink(missing_ok=True)


def forget(kind: str, key: bytes) -> None:
    """Remove one entry (after it produced a witness the prover refused)."""
    _entry(kind, key).unlink(missing_ok=True)


def snapshot_key(snapshot: MarketSnapshot) -> bytes:
    """Return the SHA-256 of the snapshot's canonical JSON (the key of its hashes)."""
    return hashlib.sha256(snapshot.model_dump_json().encode("utf-8")).digest()


def snapshot_hashes(snapshot: MarketSnapshot, *, use_cache: bool = True) -> SnapshotHashes:
    """Return the snapshot's hashes, computed once per snapshot and then read from the cache."""
    from circuits.margin.witness import SnapshotHashes, cached_snapshot_hashes

    key = snapshot_key(snapshot)
    if use_cache:
        values = _read_values(_entry("snapshot-hashes", key), 3)
        if values is not None:
            return SnapshotHashes(*values)
    hashes = cached_snapshot_hashes(snapshot)
    values = [hashes.snapshot_hash, hashes.maintenance_tiers, hashes.initial_tiers]
    _write_values(_entry("snapshot-hashes", key), values)
    return hashes


def zkey_file_key(path: Path) -> bytes | None:
    """Return the key of a zkey's cached digest: its file's identity (device, inode, size,
    modification and change times in ns), or None if it cannot be stat-ed.

    Rewriting the file (``zkm margin setup`` replaces it by rename: a new inode) or touching
    it changes the key; the change time cannot be set back without the system clock.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    identity = f"{os.path.realpath(path)}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}"
    identity += f"\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
    return hashlib.sha256(b"zkm zkey digest v1\0" + identity.encode()).digest()


def read_zkey_digest(key: bytes) -> bytes | None:
    """Return the cached SHA-256 under ``key`` (None if absent or not 32 bytes)."""
    try:
        data = _entry("zkey-digest", key).read_bytes()
    except OSError:
        return None
    return data if len(data) == 32 else None


def write_zkey_digest(key: bytes, digest: bytes) -> None:
    """Cache a zkey's SHA-256 under its :func:`zkey_file_key`."""
    _write_raw(_entry("zkey-digest", key), digest)


def shared_wires_key(digest: bytes, shared_inputs: Sequence[int]) -> bytes:
    """Return the key of the shared wires: the zkey digest and the shared input values."""
    h = hashlib.sha256(b"zkm shared wires v1\0" + digest)
    for value in shared_inputs:
        h.update(value.to_bytes(FR_BYTES, "little"))
    return h.digest()


def has_shared_wires(key: bytes) -> bool:
    """Whether a shared-wires entry exists under ``key`` (valid or not)."""
    return _entry("shared-wires", key).is_file()


def read_shared_wires(key: bytes, count: int | None = None) -> list[int] | None:
    """Return the cached shared wire values under ``key`` (None if absent, malformed or not
    ``count`` long)."""
    return _read_values(_entry("shared-wires", key), count)


def read_shared_bytes(key: bytes, count: int) -> bytes | None:
    """Return the cached shared wires under ``key`` as ``count`` 32-byte words, unparsed
    (None if absent or of another length; the native interpreter checks each is < r)."""
    try:
        data = _entry("shared-wires", key).read_bytes()
    except OSError:
        return None
    return data if len(data) == count * FR_BYTES else None


def write_shared_bytes(key: bytes, values: bytes) -> None:
    """Cache the shared wire values (canonical 32-byte words) under ``key``."""
    _write_raw(_entry("shared-wires", key), values)


def write_shared_wires(key: bytes, values: Sequence[int]) -> None:
    """Cache the shared wire values under ``key``."""
    _write_values(_entry("shared-wires", key), values)


def read_shared_sums(key: bytes) -> bytes | None:
    """Return the cached MSM terms of the shared wires under ``key`` (None if absent or not
    320 bytes; the points are checked when the prover adds them)."""
    try:
        data = _entry("shared-sums", key).read_bytes()
    except OSError:
        return None
    return data if len(data) == SHARED_SUMS_BYTES else None


def write_shared_sums(key: bytes, sums: bytes) -> None:
    """Cache the shared wires' MSM terms (:meth:`prover.prove.FixedWireSums.to_bytes`)."""
    _write_raw(_entry("shared-sums", key), sums)
