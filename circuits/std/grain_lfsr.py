"""The Grain LFSR bit stream that Poseidon's parameter generation draws from.

Implements the pseudo-random source of Grassi et al., "Poseidon: A New Hash Function
for Zero-Knowledge Proof Systems" (eprint 2019/458), appendix F, as used by the
reference script ``generate_parameters_grain.sage``:

* an 80-bit state seeded with the instance description
  ``field (2 bits) ‖ sbox (4) ‖ n (12) ‖ t (12) ‖ R_F (10) ‖ R_P (10) ‖ 1^30``;
* the feedback ``b_{i+80} = b_{i+62} ⊕ b_{i+51} ⊕ b_{i+38} ⊕ b_{i+23} ⊕ b_{i+13} ⊕ b_i``;
* the first 160 produced bits are discarded;
* the remaining raw bits are read in pairs ``(c, d)``: ``d`` is output when ``c = 1`` and
  the pair is dropped when ``c = 0`` (self-shrinking);
* an ``n``-bit integer takes the next ``n`` output bits, most significant bit first.

The raw sequence is one Python integer (bit ``i`` is ``b_i``) grown in blocks: the
feedback polynomial ``p(x) = x^80 + x^62 + x^51 + x^38 + x^23 + x^13 + 1`` satisfies
``p(x)^(2^j) = p(x^(2^j))`` over GF(2), so the sequence also obeys the same recurrence
with every offset scaled by ``2^j``, which yields ``18·2^j`` new bits per step of six
big-integer shifts. Self-shrinking reads the raw bits a byte (four pairs) at a time
through a 256-entry table. Pure Python on purpose: ``zkm margin prove`` needs these
constants in every run and must not pay numpy's import for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

_STATE_BITS: Final = 80
_TAPS: Final = (13, 23, 38, 51, 62)
_WARMUP_BITS: Final = 160
_INITIAL_RAW_BITS: Final = 1 << 16


def _shrink_table() -> dict[int, str]:
    """Map each byte of raw bits (bit 0 first) to the output bits of its four pairs."""
    table: dict[int, str] = {}
    for byte in range(256):
        out = ""
        for pair in range(4):
            if (byte >> (2 * pair)) & 1:
                out += "1" if (byte >> (2 * pair + 1)) & 1 else "0"
        table[byte] = out
    return table


_SHRUNK: Final = _shrink_table()


def grain_seed(
    field: int, sbox: int, n: int, t: int, full_rounds: int, partial_rounds: int
) -> list[int]:
    """Return the 80 seed bits ``field‖sbox‖n‖t‖R_F‖R_P‖1^30`` (each field MSB first)."""
    fields = ((field, 2), (sbox, 4), (n, 12), (t, 12), (full_rounds, 10), (partial_rounds, 10))
    text = "".join(format(value, f"0{width}b") for value, width in fields) + "1" * 30
    if len(text) != _STATE_BITS:
        raise ValueError("a Grain seed field does not fit its bit width")
    return [int(bit) for bit in text]


def _seed_integer(seed: Sequence[int]) -> int:
    """Return the seed as an integer whose bit ``i`` is ``seed[i]``."""
    if len(seed) != _STATE_BITS or any(bit not in (0, 1) for bit in seed):
        raise ValueError("a Grain seed has exactly 80 bits, each 0 or 1")
    return int("".join(str(bit) for bit in reversed(seed)), 2)


def _sequence_integer(seed: Sequence[int], length: int) -> int:
    """Return ``b_0 … b_{length-1}`` (and possibly a few more) as bit ``i`` = ``b_i``."""
    sequence = _seed_integer(seed)
    filled = _STATE_BITS
    while filled < length:
        scale = 1
        while _STATE_BITS * scale * 2 <= filled:
            scale *= 2
        block = (_STATE_BITS - _TAPS[-1]) * scale
        window = sequence >> (filled - _STATE_BITS * scale)
        new_bits = window
        for tap in _TAPS:
            new_bits ^= window >> (tap * scale)
        sequence |= (new_bits & ((1 << block) - 1)) << filled
        filled += block
    return sequence


def lfsr_sequence(seed: Sequence[int], length: int) -> list[int]:
    """Return ``b_0 … b_{length-1}`` of the Grain LFSR whose first 80 bits are ``seed``."""
    sequence = _sequence_integer(seed, length)
    return [(sequence >> i) & 1 for i in range(length)]


class GrainStream:
    """Consumes Grain's self-shrunk output bits as big-endian integers, in order."""

    def __init__(self, seed: Sequence[int]) -> None:
        """Start the stream from 80 seed bits (see :func:`grain_seed`)."""
        self._seed = [int(bit) for bit in seed]
        _seed_integer(self._seed)  # validates
        self._raw_length = _INITIAL_RAW_BITS
        self._output = self._shrunk_output(self._raw_length)
        self._position = 0

    def _shrunk_output(self, raw_length: int) -> str:
        """Return the self-shrunk output of the first ``raw_length`` raw bits after warm-up."""
        skip = _STATE_BITS + _WARMUP_BITS  # even: pairs stay aligned to bytes
        raw = _sequence_integer(self._seed, skip + raw_length) >> skip
        n_bytes = raw_length // 8
        data = (raw & ((1 << (8 * n_bytes)) - 1)).to_bytes(n_bytes, "little")
        return data.decode("latin-1").translate(_SHRUNK)

    def next_int(self, n_bits: int) -> int:
        """Return the next ``n_bits`` output bits as an integer, most significant bit first."""
        while self._position + n_bits > len(self._output):
            self._raw_length *= 2
            self._output = self._shrunk_output(self._raw_length)
        chunk = self._output[self._position : self._position + n_bits]
        self._position += n_bits
        return int(chunk, 2)

    def next_below(self, n_bits: int, bound: int) -> int:
        """Return the next ``n_bits``-bit integer below ``bound``, rejecting larger draws."""
        while True:
            value = self.next_int(n_bits)
            if value < bound:
                return value
