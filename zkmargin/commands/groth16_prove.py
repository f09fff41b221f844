"""The work behind ``zkm groth16 prove``, importable without Typer (the CLI's fast path)."""

from __future__ import annotations

import sys
from pathlib import Path

UNSAFE_WARNING = "warning: proving with an UNSAFE {provenance} key"


def prove_files(zkey: Path, witness: Path, proof: Path, public: Path, backend: str | None) -> None:
    """Prove with a snarkjs ``.zkey`` and ``.wtns``; write snarkjs proof.json and public.json.

    The key is loaded straight into the backend's tables (:func:`prover.zkey.load_zkey`)
    and the witness read as one buffer, so nothing large is held twice.

    Raises:
        ZkError: a malformed zkey or witness, or a witness the key's circuit rejects.
        OSError: an input is unreadable or an output unwritable.
    """
    import json

    _return_freed_buffers_to_the_os()
    from algebra.backend import get_backend
    from circuits.formats.wtns_file import read_wtns_bytes
    from prover.prove import prove
    from prover.zkey import load_zkey
    from verifier.snarkjs_json import proof_to_json, public_inputs_to_json

    key = load_zkey(zkey, backend=get_backend(backend))
    if key.is_unsafe:
        _warn(UNSAFE_WARNING.format(provenance=key.provenance))
    made, inputs = prove(key, read_wtns_bytes(witness))
    proof.write_text(json.dumps(proof_to_json(made), indent=1))
    public.write_text(json.dumps(public_inputs_to_json(inputs), indent=1))


_M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter number for the mmap threshold (``malloc.h``)."""

_MMAP_THRESHOLD_BYTES = 32 << 20
"""Allocations from this size up are mmapped (glibc's own ceiling for its sliding threshold)."""


def _return_freed_buffers_to_the_os() -> None:
    """Fix glibc's mmap threshold at 32 MiB: larger buffers leave the RSS as soon as freed.

    Left alone, glibc slides its threshold up after each large free (and its heap trim
    threshold with it), so freed key sections and NTT buffers stay resident: ~100 MB
    more peak at 2^18. Setting the threshold stops the sliding. A fixed 1 MiB
    (this function's first setting) kept the peak lowest but mapped every MSM's and
    NTT's scratch afresh, one page fault per 4 KiB: at 32 MiB the medium buffers are
    reused from the heap — on an AMD EPYC Zen 4, 0.03 s less CPU at 2^16 (1.63 vs
    1.66 s) and 0.06 s at 2^18 (5.65 vs 5.71 s) for 19 MB more peak at 2^18 (254 vs
    235 MB), none at 2^16. A no-op where mallopt is missing (musl, macOS).
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):
        return


def _warn(message: str) -> None:
    red = sys.stderr.isatty()
    sys.stderr.write(f"\x1b[31m{message}\x1b[0m\n" if red else f"{message}\n")
