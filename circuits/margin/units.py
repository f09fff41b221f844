"""Units and bounds of the margin model (ARCHITECTURE §3): integers only, ppm ratios.

Money is counted in quote quantums (QQ); ratios are parts per million (``U = 10^6``).
Sizes, prices and balances fit in 64 bits; scales in 30 bits (so 10^9 decimals fit).
These bounds are what make the circuit's integer arithmetic wrap-free.
"""

from typing import Final

U: Final = 1_000_000
"""One, in ppm."""

I64_MIN: Final = -(1 << 63)
I64_MAX: Final = (1 << 63) - 1
U64_MAX: Final = (1 << 64) - 1

SCALE_BITS: Final = 30
MAX_SCALE: Final = (1 << SCALE_BITS) - 1
"""Size and collateral scales (quanta per whole unit) lie in ``[1, 2^30)``."""

MAX_LIABILITY_WEIGHT: Final = 10 * U
"""Liability weights lie in ``[U, 10·U]``."""

MAX_TIER_SLOTS: Final = 8
MAX_SLOTS: Final = 4095
"""Slot and scenario counts fit in 12 bits (they are packed into sponge domain tags)."""
MAX_QUOTE_DECIMALS: Final = 18
MAX_SYMBOL_LENGTH: Final = 31

BUFFER_BITS: Final = 32
MIN_BUFFER_PPM: Final = U
MAX_BUFFER_PPM: Final = U + (1 << BUFFER_BITS) - 1
"""``buffer_ppm ∈ [10^6, 10^6 + 2^32)``: proofs of up to ≈4296× the requirement."""

SALT_BITS: Final = 248
