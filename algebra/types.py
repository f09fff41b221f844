"""The one place for algebra's Python-level types (py_ecc style: plain tuples of ints).

Conventions, used by every package:
- a field element (Fr or Fq) is a Python ``int`` in ``[0, modulus)``;
- ``Fq2`` is ``(c0, c1)`` meaning ``c0 + c1·u`` (snarkjs JSON order, not EVM order);
- a G1 point is affine ``(x, y)``; a G2 point is ``((x.c0, x.c1), (y.c0, y.c1))``;
- the point at infinity is ``None``.
"""

from typing import TypeAlias

Fq2: TypeAlias = tuple[int, int]
G1Affine: TypeAlias = tuple[int, int]
G2Affine: TypeAlias = tuple[Fq2, Fq2]
G1: TypeAlias = G1Affine | None
"""A G1 point, or ``None`` for the point at infinity."""
G2: TypeAlias = G2Affine | None
"""A G2 point, or ``None`` for the point at infinity."""
