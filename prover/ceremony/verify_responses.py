"""Check every phase-1 contribution's response hash, not only the last one's.

A record stores its response hash as a BLAKE2b *partial* state (216 bytes: the pending
block, the chaining words, the byte counters) over ``challenge ‖ compressed points``,
finished with its key. Only the last record's points are in the file, so for earlier
records the verifier checks what the state must say regardless of the points — the byte
count of a power-``p`` response and the pending tail, which ends with that record's own
compressed β·G2 — and, given the contributor's output file, the whole hash: that file's
last record is then verified against its points, and its records must be a prefix of the
final transcript's (:func:`prover.ceremony.verify_phase1.verify_ptau`).
"""

from __future__ import annotations

import struct

from algebra.constants import G1_BYTES, G2_BYTES
from prover.ceremony.blake2 import BLOCK
from prover.ceremony.points import compressed
from prover.ceremony.ptau_file import Phase1Contribution

_COMPRESSED_G1, _COMPRESSED_G2 = G1_BYTES // 2, G2_BYTES // 2


def response_length(ceremony_power: int) -> int:
    """Return the bytes a power-p response hash absorbs before the key (challenge + points)."""
    n = 1 << ceremony_power
    g1_points, g2_points = (2 * n - 1) + n + n, n + 1
    return 64 + g1_points * _COMPRESSED_G1 + g2_points * _COMPRESSED_G2


def partial_hash_is_consistent(record: Phase1Contribution, ceremony_power: int) -> bool:
    """Return whether ``record``'s partial state counts a power-p response ending in its β·G2."""
    total = response_length(ceremony_power)
    pending = total - ((total - 1) // BLOCK) * BLOCK
    low, high, kept, kept_high = struct.unpack_from("<IIII", record.partial_hash, BLOCK + 64)
    tail = record.partial_hash[pending - _COMPRESSED_G2 : pending]
    return (low | high << 32, kept, kept_high) == (
        total - pending,
        pending,
        0,
    ) and tail == compressed(record.beta_g2, 2)
