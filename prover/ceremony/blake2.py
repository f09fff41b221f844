"""BLAKE2b-512 (RFC 7693) whose mid-stream state can be saved in snarkjs's "partial hash" layout.

A powers-of-tau contribution records the state of its response hash just before the
contributor's public key is absorbed (216 bytes: the pending 128-byte block, the eight
64-bit chaining words, the byte count already compressed and the pending length, each
little-endian u32 pairs, then padding), so a verifier can finish the hash from the key
alone. As in @noble/hashes, the last block of the input is always kept pending (1–128
bytes), because BLAKE2 flags the final compression.

Compression is the RFC 7693 F function from ``blake2b-py`` (Rust); :mod:`hashlib` cannot
expose its state.
"""

from __future__ import annotations

import struct

from blake2b import compress  # type: ignore[import-untyped]

from algebra.errors import FormatError

BLOCK = 128
PARTIAL_BYTES = 216
_IV = (
    0x6A09E667F3BCC908,
    0xBB67AE8584CAA73B,
    0x3C6EF372FE94F82B,
    0xA54FF53A5F1D36F1,
    0x510E527FADE682D1,
    0x9B05688C2B3E6C1F,
    0x1F83D9ABFB41BD6B,
    0x5BE0CD19137E2179,
)
_PARAMS_512 = 0x01010040  # digest length 64, no key, fanout 1, depth 1


class Blake2b512:
    """An incremental BLAKE2b-512 hasher with a serialisable state."""

    def __init__(self) -> None:
        self._h = list(_IV)
        self._h[0] ^= _PARAMS_512
        self._compressed = 0
        self._pending = b""

    def update(self, data: bytes) -> Blake2b512:
        """Absorb ``data``; every block but the last stays compressed, the last pending."""
        buffer = self._pending + bytes(data)
        keep = len(buffer) - ((len(buffer) - 1) // BLOCK) * BLOCK if buffer else 0
        h, counter = self._h, self._compressed
        view = memoryview(buffer)
        for offset in range(0, len(buffer) - keep, BLOCK):
            counter += BLOCK
            words = list(struct.unpack_from("<16Q", view, offset))
            h = list(struct.unpack("<8Q", compress(12, h, words, [counter, 0], False)))
        self._h, self._compressed = h, counter
        self._pending = buffer[len(buffer) - keep :]
        return self

    def digest(self) -> bytes:
        """Return the 64-byte digest of everything absorbed (the hasher stays usable)."""
        block = self._pending + bytes(BLOCK - len(self._pending))
        words = list(struct.unpack("<16Q", block))
        total = self._compressed + len(self._pending)
        return bytes(compress(12, self._h, words, [total, 0], True))

    def partial(self) -> bytes:
        """Return the 216-byte snarkjs partial-hash encoding of the current state."""
        block = self._pending + bytes(BLOCK - len(self._pending))
        return (
            block
            + struct.pack("<8Q", *self._h)
            + struct.pack("<IIII", self._compressed, 0, len(self._pending), 0)
            + bytes(PARTIAL_BYTES - BLOCK - 64 - 16)
        )

    @classmethod
    def from_partial(cls, data: bytes) -> Blake2b512:
        """Return a hasher resumed from a 216-byte partial-hash encoding.

        Raises:
            FormatError: the encoding has the wrong size or an impossible length.
        """
        if len(data) != PARTIAL_BYTES:
            raise FormatError(f"a partial hash has {PARTIAL_BYTES} bytes, not {len(data)}")
        compressed_low, compressed_high, pending, pending_high = struct.unpack_from(
            "<IIII", data, BLOCK + 64
        )
        compressed = compressed_low | (compressed_high << 32)
        if pending_high or pending > BLOCK or compressed % BLOCK:
            raise FormatError("the partial hash has an impossible length")
        hasher = cls()
        hasher._h = list(struct.unpack_from("<8Q", data, BLOCK))
        hasher._compressed = compressed
        hasher._pending = data[:pending]
        return hasher
