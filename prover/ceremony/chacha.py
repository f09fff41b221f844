"""The ChaCha20 block stream ffjavascript uses as its seeded RNG (RFC 8439 core, 20 rounds).

snarkjs derives every deterministic key point from it: the G2 point of a proof of
knowledge (seeded with a transcript hash) and a beacon's whole key (seeded with the
iterated beacon hash). The state is the four constants, eight seed words, and a 128-bit
block counter starting at zero (no nonce); words come out in block order.
"""

from __future__ import annotations

_MASK = 0xFFFFFFFF
_CONSTANTS = (0x61707865, 0x3320646E, 0x79622D32, 0x6B206574)


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (32 - shift))) & _MASK


def _quarter(s: list[int], a: int, b: int, c: int, d: int) -> None:
    s[a] = (s[a] + s[b]) & _MASK
    s[d] = _rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & _MASK
    s[b] = _rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & _MASK
    s[d] = _rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & _MASK
    s[b] = _rotl(s[b] ^ s[c], 7)


_ROUNDS = (
    (0, 4, 8, 12),
    (1, 5, 9, 13),
    (2, 6, 10, 14),
    (3, 7, 11, 15),
    (0, 5, 10, 15),
    (1, 6, 11, 12),
    (2, 7, 8, 13),
    (3, 4, 9, 14),
)


class ChaCha:
    """A deterministic word stream seeded with eight 32-bit words."""

    def __init__(self, seed: list[int]) -> None:
        """Start the stream for ``seed`` (eight words in [0, 2^32))."""
        if len(seed) != 8 or any(not 0 <= word <= _MASK for word in seed):
            raise ValueError("a ChaCha seed is eight 32-bit words")
        self._state = [*_CONSTANTS, *seed, 0, 0, 0, 0]
        self._block: list[int] = []
        self._index = 16
        self._wiped = False

    @classmethod
    def from_digest(cls, digest: bytes) -> ChaCha:
        """Return the stream seeded with the first 32 bytes of ``digest`` as big-endian words."""
        return cls([int.from_bytes(digest[4 * i : 4 * i + 4], "big") for i in range(8)])

    def _refill(self) -> None:
        work = list(self._state)
        for _ in range(10):
            for indexes in _ROUNDS:
                _quarter(work, *indexes)
        self._block = [(w + s) & _MASK for w, s in zip(work, self._state, strict=True)]
        self._index = 0
        for position in range(12, 16):  # 128-bit little-endian word counter
            self._state[position] = (self._state[position] + 1) & _MASK
            if self._state[position]:
                break

    def wipe(self) -> None:
        """Overwrite and drop the seed, counter and buffered words; any further draw raises.

        A contribution's stream can re-derive every secret it produced, so the ceremony
        tools call this as soon as the secrets are drawn, instead of leaving the state alive
        until the process exits. (CPython cannot zero the freed integers themselves; this
        removes every reference the stream holds.)
        """
        for words in (self._state, self._block):
            words[:] = [0] * len(words)
            words.clear()
        self._index = 16
        self._wiped = True

    def next_u32(self) -> int:
        """Return the next word."""
        if self._wiped:
            raise RuntimeError("this ChaCha stream was wiped after its secrets were drawn")
        if self._index == 16:
            self._refill()
        word = self._block[self._index]
        self._index += 1
        return word

    def next_u64(self) -> int:
        """Return ``hi·2^32 + lo`` from the next two words (high word first)."""
        high = self.next_u32()
        return (high << 32) | self.next_u32()

    def next_bool(self) -> bool:
        """Return the low bit of the next word."""
        return bool(self.next_u32() & 1)
