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

The raw sequence is computed in blocks with numpy: the feedback polynomial
``p(x) = x^80 + x^62 + x^51 + x^38 + x^23 + x^13 + 1`` satisfies ``p(x)^(2^j) = p(x^(2^j))``
over GF(2), so the sequence also obeys the same recurrence with every offset scaled by
``2^j``, which yields ``18·2^j`` new bits per vectorised step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

_STATE_BITS: Final = 80
_TAPS: Final = (13, 23, 38, 51, 62)
_WARMUP_BITS: Final = 160
_INITIAL_RAW_BITS: Final = 1 << 16

Bits = npt.NDArray[np.uint8]


def grain_seed(
    field: int, sbox: int, n: int, t: int, full_rounds: int, partial_rounds: int
) -> Bits:
    """Return the 80 seed bits ``field‖sbox‖n‖t‖R_F‖R_P‖1^30`` (each field MSB first)."""
    fields = ((field, 2), (sbox, 4), (n, 12), (t, 12), (full_rounds, 10), (partial_rounds, 10))
    text = "".join(format(value, f"0{width}b") for value, width in fields) + "1" * 30
    if len(text) != _STATE_BITS:
        raise ValueError("a Grain seed field does not fit its bit width")
    return np.frombuffer(text.encode(), dtype=np.uint8) - ord("0")


def lfsr_sequence(seed: Bits, length: int) -> Bits:
    """Return ``b_0 … b_{length-1}`` of the Grain LFSR whose first 80 bits are ``seed``."""
    sequence = np.zeros(max(length, _STATE_BITS), dtype=np.uint8)
    sequence[:_STATE_BITS] = seed
    filled = _STATE_BITS
    while filled < length:
        scale = 1
        while _STATE_BITS * scale * 2 <= filled:
            scale *= 2
        block = min((_STATE_BITS - _TAPS[-1]) * scale, length - filled)
        base = filled - _STATE_BITS * scale
        new_bits = sequence[base : base + block].copy()
        for tap in _TAPS:
            start = base + tap * scale
            new_bits ^= sequence[start : start + block]
        sequence[filled : filled + block] = new_bits
        filled += block
    return sequence[:length]


class GrainStream:
    """Consumes Grain's self-shrunk output bits as big-endian integers, in order."""

    def __init__(self, seed: Sequence[int] | Bits) -> None:
        """Start the stream from 80 seed bits (see :func:`grain_seed`)."""
        self._seed = np.asarray(seed, dtype=np.uint8)
        if self._seed.shape != (_STATE_BITS,):
            raise ValueError("a Grain seed has exactly 80 bits")
        self._raw_length = _INITIAL_RAW_BITS
        self._output = self._shrunk_output(self._raw_length)
        self._position = 0

    def _shrunk_output(self, raw_length: int) -> str:
        raw = lfsr_sequence(self._seed, _STATE_BITS + _WARMUP_BITS + raw_length)
        pairs = raw[_STATE_BITS + _WARMUP_BITS :]
        selected = pairs[1::2][pairs[0 : 2 * (len(pairs) // 2) : 2] == 1]
        text: str = (selected + ord("0")).tobytes().decode()
        return text

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
