"""BN254 (alt_bn128) curve constants, as in EIP-196/197 and circom/snarkjs.

E(Fq): y^2 = x^3 + 3; the twist E'(Fq2): y^2 = x^3 + 3/(9 + u), Fq2 = Fq[u]/(u^2 + 1).
Both G1 and G2 have prime order ``SCALAR_FIELD_R``.
"""

from typing import Final

SCALAR_FIELD_R: Final[int] = (
    21888242871839275222246405745257275088548364400416034343698204186575808495617
)
"""r: order of G1/G2 and modulus of the scalar field Fr (circuit values live here)."""

FIELD_MODULUS_Q: Final[int] = (
    21888242871839275222246405745257275088696311157297823662689037894645226208583
)
"""q: modulus of the base field Fq (curve coordinates live here)."""

FR_TWO_ADICITY: Final[int] = 28
"""2^28 divides r - 1: the largest radix-2 NTT domain is 2^28."""

FR_MULTIPLICATIVE_GENERATOR: Final[int] = 5
"""Generator of Fr^*, as used by arkworks and snarkjs (both take 5)."""

FR_ROOT_OF_UNITY_2_28: Final[int] = pow(
    FR_MULTIPLICATIVE_GENERATOR, (SCALAR_FIELD_R - 1) >> FR_TWO_ADICITY, SCALAR_FIELD_R
)
"""Primitive 2^28-th root of unity: 5^((r-1)/2^28), identical to arkworks' and snarkjs's."""

G1_GENERATOR: Final[tuple[int, int]] = (1, 2)

G2_GENERATOR: Final[tuple[tuple[int, int], tuple[int, int]]] = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)
"""G2 generator as ((x.c0, x.c1), (y.c0, y.c1)), the EIP-197 generator."""

FR_BYTES: Final[int] = 32
G1_BYTES: Final[int] = 64
G2_BYTES: Final[int] = 128


def root_of_unity(domain_size: int) -> int:
    """Return ω with ω^domain_size = 1 primitive, for a power-of-two domain_size ≤ 2^28."""
    if domain_size < 1 or domain_size & (domain_size - 1) or domain_size > 1 << FR_TWO_ADICITY:
        raise ValueError(f"domain size {domain_size} is not a power of two ≤ 2^28")
    log = domain_size.bit_length() - 1
    return pow(FR_ROOT_OF_UNITY_2_28, 1 << (FR_TWO_ADICITY - log), SCALAR_FIELD_R)
