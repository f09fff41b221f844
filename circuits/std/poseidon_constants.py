"""Poseidon round constants and MDS matrices for BN254's Fr, circomlib's instances.

Our own implementation of the parameter generation of Grassi et al., "Poseidon: A New
Hash Function for Zero-Knowledge Proof Systems" (eprint 2019/458), as performed by the
reference script ``generate_parameters_grain.sage 1 0 254 t 8 R_P r``:

1. seed the Grain LFSR (:mod:`circuits.std.grain_lfsr`) with field = 1 (GF(p)),
   S-box = 0 (x^α, here α = 5), n = 254, t, R_F = 8 and R_P;
2. draw ``(R_F + R_P)·t`` round constants as 254-bit integers, rejecting those ≥ r;
3. continue the same stream to draw the Cauchy MDS matrix, resampled until it passes the
   secure-MDS checks (:mod:`circuits.std.poseidon_mds`).

circomlib uses width ``t = n_inputs + 1`` for 1…16 inputs, ``R_F = 8`` and the partial
round counts of :data:`PARTIAL_ROUNDS`.

:func:`generate_poseidon_parameters` runs the whole procedure (the MDS checks take up to
~2 s for t = 17). :func:`poseidon_parameters`, used by the hash, runs the same Grain
draws but replays the checks' verdicts recorded in :data:`REJECTED_MDS_DRAWS` instead of
recomputing them, and caches the result; the tests assert that both agree, and
``python -m circuits.std.poseidon_constants`` recomputes the recorded verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.std.grain_lfsr import GrainStream, grain_seed
from circuits.std.poseidon_mds import generate_mds, replay_mds

FIELD_BITS: Final = 254
"""n: bit length of r, the size of each Grain draw."""

FULL_ROUNDS: Final = 8
"""R_F: full rounds, half before and half after the partial rounds."""

SBOX_EXPONENT: Final = 5
"""α: the S-box is x ↦ x^5 (gcd(5, r − 1) = 1)."""

MIN_WIDTH: Final = 2
MAX_WIDTH: Final = 17

PARTIAL_ROUNDS: Final[tuple[int, ...]] = (
    56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68,
)  # fmt: skip
"""R_P for widths t = 2 … 17 (the paper's table rounded up as circomlib does)."""

REJECTED_MDS_DRAWS: Final[tuple[int, ...]] = (0,) * 16
"""For widths 2 … 17: Cauchy matrices the secure-MDS checks rejected before accepting one."""


@dataclass(frozen=True)
class PoseidonParameters:
    """One Poseidon instance over Fr.

    Attributes:
        width: t, the state size (inputs + 1 capacity element).
        full_rounds: R_F.
        partial_rounds: R_P.
        round_constants: ``R_F + R_P`` rows of ``t`` constants, added at the start of each round.
        mds: t×t matrix; the linear layer maps ``state`` to ``[Σ_j mds[i][j]·state[j]]_i``.
    """

    width: int
    full_rounds: int
    partial_rounds: int
    round_constants: tuple[tuple[int, ...], ...]
    mds: tuple[tuple[int, ...], ...]

    @property
    def n_rounds(self) -> int:
        """R_F + R_P."""
        return self.full_rounds + self.partial_rounds

    def is_full_round(self, round_index: int) -> bool:
        """Whether round ``round_index`` applies the S-box to every element (not only the first)."""
        half = self.full_rounds // 2
        return round_index < half or round_index >= half + self.partial_rounds


def partial_rounds_for(width: int) -> int:
    """Return circomlib's R_P for state width ``width`` (2 … 17)."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise MalformedInputError(f"Poseidon width {width} is outside {MIN_WIDTH}..{MAX_WIDTH}")
    return PARTIAL_ROUNDS[width - MIN_WIDTH]


def generate_poseidon_parameters(width: int) -> tuple[PoseidonParameters, int]:
    """Run the full generation for ``width``; also return how many MDS draws were rejected."""
    stream, constants = _round_constants(width)
    mds, rejected = generate_mds(stream, width, FIELD_BITS)
    return _parameters(width, constants, mds), rejected


@cache
def poseidon_parameters(width: int) -> PoseidonParameters:
    """Return the Grain-generated constants of circomlib's Poseidon with state width ``width``."""
    stream, constants = _round_constants(width)
    rejected = REJECTED_MDS_DRAWS[width - MIN_WIDTH]
    return _parameters(width, constants, replay_mds(stream, width, FIELD_BITS, rejected))


def _round_constants(width: int) -> tuple[GrainStream, list[int]]:
    partial_rounds = partial_rounds_for(width)
    seed = grain_seed(1, 0, FIELD_BITS, width, FULL_ROUNDS, partial_rounds)
    stream = GrainStream(seed)
    count = (FULL_ROUNDS + partial_rounds) * width
    return stream, [stream.next_below(FIELD_BITS, SCALAR_FIELD_R) for _ in range(count)]


def _parameters(width: int, flat: list[int], mds: list[list[int]]) -> PoseidonParameters:
    n_rounds = len(flat) // width
    return PoseidonParameters(
        width=width,
        full_rounds=FULL_ROUNDS,
        partial_rounds=n_rounds - FULL_ROUNDS,
        round_constants=tuple(tuple(flat[r * width : (r + 1) * width]) for r in range(n_rounds)),
        mds=tuple(tuple(row) for row in mds),
    )


def main() -> None:
    """Print :data:`REJECTED_MDS_DRAWS` recomputed by the full procedure."""
    verdicts = [generate_poseidon_parameters(width)[1] for width in range(MIN_WIDTH, MAX_WIDTH + 1)]
    print(f"REJECTED_MDS_DRAWS = {tuple(verdicts)}")


if __name__ == "__main__":
    main()
