"""Independent plain-integer helpers for backend tests: encodings, EVM vectors, bad points.

Nothing here uses py_ecc, so the known answers do not come from the implementation
the reference backend is built on.
"""

from __future__ import annotations

from algebra.constants import FIELD_MODULUS_Q as Q
from algebra.constants import G1_GENERATOR, G2_GENERATOR
from algebra.encoding import fr_vector_to_bytes, g1_to_bytes, g2_to_bytes

G1_GEN = g1_to_bytes(G1_GENERATOR)
G2_GEN = g2_to_bytes(G2_GENERATOR)
G1_INF = bytes(64)
G2_INF = bytes(128)

G1_DOUBLE = g1_to_bytes(
    (
        1368015179489954701390400359078579693043519447331113978918064868415326638035,
        9918110051302171585080402603319702774565515993150576347155970296011118125764,
    )
)
"""2·G1, the EIP-196 ecAdd/ecMul test vector."""

EIP197_JEFF1 = bytes.fromhex(
    "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f59"
    "3034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41"
    "209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf7"
    "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a41678"
    "2bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d"
    "120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550"
    "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c"
    "2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411"
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
)
"""The "jeff1" ecPairing precompile input (two pairs; the product is 1), EVM encoding."""


def evm_pairs(data: bytes) -> tuple[bytes, bytes]:
    """Convert EIP-197 input (big-endian words; G2 as x.c1, x.c0, y.c1, y.c0) to our encodings."""
    g1 = bytearray()
    g2 = bytearray()
    for offset in range(0, len(data), 192):
        words = [
            int.from_bytes(data[offset + 32 * i : offset + 32 * i + 32], "big") for i in range(6)
        ]
        g1 += g1_to_bytes((words[0], words[1]))
        g2 += g2_to_bytes(((words[3], words[2]), (words[5], words[4])))
    return bytes(g1), bytes(g2)


def scalars(*values: int) -> bytes:
    """Encode canonical Fr scalars."""
    return fr_vector_to_bytes(values)


def split(buffer: bytes, size: int) -> list[bytes]:
    """Split a contiguous buffer into ``size``-byte items."""
    return [buffer[i : i + size] for i in range(0, len(buffer), size)]


# --- Fq2 = Fq[u]/(u^2 + 1), just enough to build a twist point outside G2 -----------------
Fq2 = tuple[int, int]


def _mul(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] * b[0] - a[1] * b[1]) % Q, (a[0] * b[1] + a[1] * b[0]) % Q)


def _fq_sqrt(a: int) -> int | None:
    root = pow(a, (Q + 1) // 4, Q)  # q ≡ 3 (mod 4)
    return root if root * root % Q == a % Q else None


def _fq2_sqrt(a: Fq2) -> Fq2 | None:
    """Return a square root of ``a`` in Fq2 (the "complex" method for u^2 = −1), or None."""
    alpha = _fq_sqrt((a[0] * a[0] + a[1] * a[1]) % Q)
    if alpha is None:
        return None
    half = pow(2, -1, Q)
    for delta in ((a[0] + alpha) * half % Q, (a[0] - alpha) * half % Q):
        x0 = _fq_sqrt(delta)
        if x0:
            candidate = (x0, a[1] * pow(2 * x0, -1, Q) % Q)
            if _mul(candidate, candidate) == (a[0] % Q, a[1] % Q):
                return candidate
    return None


TWIST_B: Fq2 = (27 * pow(82, -1, Q) % Q, -3 * pow(82, -1, Q) % Q)
"""b' = 3/(9 + u) = 3(9 − u)/82."""


def twist_point_outside_g2() -> bytes:
    """Return an encoded point on y² = x³ + b' whose order is not r (the twist has a cofactor)."""
    for k in range(1, 1000):
        x: Fq2 = (k, 1)
        rhs = _mul(_mul(x, x), x)
        rhs = ((rhs[0] + TWIST_B[0]) % Q, (rhs[1] + TWIST_B[1]) % Q)
        y = _fq2_sqrt(rhs)
        if y is not None:
            return g2_to_bytes((x, y))
    raise AssertionError("no twist point found")


def g2_off_twist() -> bytes:
    """The G2 generator with y.c0 changed: coordinates < q but not on the twist."""
    (x0, x1), (y0, y1) = G2_GENERATOR
    return g2_to_bytes(((x0, x1), ((y0 + 1) % Q, y1)))


def twist_points(xs: list[Fq2]) -> list[bytes]:
    """Return an encoded twist point for each ``x`` where x³ + b' is a square (others skipped).

    Almost none of them is in G2: the twist's group has order r·(2q − r).
    """
    points: list[bytes] = []
    for x in xs:
        rhs = _mul(_mul(x, x), x)
        y = _fq2_sqrt(((rhs[0] + TWIST_B[0]) % Q, (rhs[1] + TWIST_B[1]) % Q))
        if y is not None:
            points.append(g2_to_bytes((x, y)))
    return points
