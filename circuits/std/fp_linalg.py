"""Dense linear algebra and univariate polynomials over Fr, for checking Poseidon's MDS matrix.

Matrices are lists of rows of canonical ints mod ``SCALAR_FIELD_R``; polynomials are
coefficient lists, lowest degree first. Sizes are tiny (t ≤ 17), so clarity wins over speed.
Root finding uses ``gcd(f, x^r − x)`` and Cantor–Zassenhaus splitting with deterministic
shifts ``x + a`` for ``a = 0, 1, 2, …`` so that every run gives the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from algebra.constants import SCALAR_FIELD_R

P = SCALAR_FIELD_R
Matrix = list[list[int]]
Poly = list[int]


def identity(n: int) -> Matrix:
    """Return the n×n identity matrix."""
    return [[int(i == j) for j in range(n)] for i in range(n)]


def mat_mul(a: Matrix, b: Matrix) -> Matrix:
    """Return ``a·b``."""
    columns = list(zip(*b, strict=True))
    return [[sum(x * y for x, y in zip(row, col, strict=True)) % P for col in columns] for row in a]


def mat_pow(a: Matrix, exponent: int) -> Matrix:
    """Return ``a^exponent`` (exponent ≥ 0) by square-and-multiply."""
    result = identity(len(a))
    square = a
    while exponent:
        if exponent & 1:
            result = mat_mul(result, square)
        exponent >>= 1
        if exponent:
            square = mat_mul(square, square)
    return result


def mat_vec(a: Matrix, v: Sequence[int]) -> list[int]:
    """Return ``a·v``."""
    return [sum(x * y for x, y in zip(row, v, strict=True)) % P for row in a]


def row_echelon(rows: Sequence[Sequence[int]]) -> Matrix:
    """Return a reduced row-echelon basis of the span of ``rows`` (zero rows dropped)."""
    work = [[x % P for x in row] for row in rows]
    basis: Matrix = []
    n_cols = len(work[0]) if work else 0
    for col in range(n_cols):
        pivot = next((row for row in work if row[col]), None)
        if pivot is None:
            continue
        work.remove(pivot)
        inverse = pow(pivot[col], -1, P)
        pivot = [x * inverse % P for x in pivot]
        work = [_eliminate(row, pivot, col) for row in work]
        basis = [_eliminate(row, pivot, col) for row in basis]
        basis.append(pivot)
    return basis


def _eliminate(row: list[int], pivot: list[int], col: int) -> list[int]:
    factor = row[col]
    if not factor:
        return row
    return [(x - factor * y) % P for x, y in zip(row, pivot, strict=True)]


def rank(rows: Sequence[Sequence[int]]) -> int:
    """Return the dimension of the span of ``rows``."""
    return len(row_echelon(rows))


def kernel(a: Sequence[Sequence[int]], n_cols: int) -> Matrix:
    """Return a basis of ``{v ∈ Fr^n_cols : a·v = 0}``."""
    echelon = row_echelon(a)
    pivots = [next(c for c, x in enumerate(row) if x) for row in echelon]
    basis: Matrix = []
    for free in (c for c in range(n_cols) if c not in pivots):
        vector = [0] * n_cols
        vector[free] = 1
        for row, pivot in zip(echelon, pivots, strict=True):
            vector[pivot] = -row[free] % P
        basis.append(vector)
    return basis


def characteristic_polynomial(a: Matrix) -> Poly:
    """Return ``det(x·I − a)`` (monic): reduce to Hessenberg form, then expand by recurrence."""
    h = _hessenberg(a)
    n = len(h)
    polys: list[Poly] = [[1]]
    for k in range(1, n + 1):
        shifted = [0, *polys[k - 1]]
        current = [
            (x - h[k - 1][k - 1] * y) % P for x, y in zip(shifted, [*polys[k - 1], 0], strict=True)
        ]
        product = 1
        for i in range(1, k):
            product = product * h[k - i][k - i - 1] % P
            factor = h[k - i - 1][k - 1] * product % P
            for degree, coefficient in enumerate(polys[k - i - 1]):
                current[degree] = (current[degree] - factor * coefficient) % P
        polys.append(current)
    return polys[n]


def _hessenberg(a: Matrix) -> Matrix:
    """Return an upper Hessenberg matrix similar to ``a`` (Gaussian elimination with pivoting)."""
    h = [row[:] for row in a]
    n = len(h)
    for m in range(1, n - 1):
        pivot = next((i for i in range(m, n) if h[i][m - 1]), None)
        if pivot is None:
            continue
        if pivot != m:
            h[pivot], h[m] = h[m], h[pivot]
            for row in h:
                row[pivot], row[m] = row[m], row[pivot]
        inverse = pow(h[m][m - 1], -1, P)
        for i in range(m + 1, n):
            u = h[i][m - 1] * inverse % P
            if not u:
                continue
            h[i] = [(x - u * y) % P for x, y in zip(h[i], h[m], strict=True)]
            for row in h:
                row[m] = (row[m] + u * row[i]) % P
    return h


def _trim(f: Poly) -> Poly:
    while f and not f[-1]:
        f = f[:-1]
    return f


def poly_divmod(f: Poly, g: Poly) -> tuple[Poly, Poly]:
    """Return ``(q, rem)`` with ``f = q·g + rem`` and ``deg rem < deg g`` (g non-zero)."""
    g = _trim(g)
    rem = _trim([x % P for x in f])
    if len(rem) < len(g):
        return [], rem
    lead_inverse = pow(g[-1], -1, P)
    quotient = [0] * (len(rem) - len(g) + 1)
    while len(rem) >= len(g):
        shift = len(rem) - len(g)
        factor = rem[-1] * lead_inverse % P
        quotient[shift] = factor
        for i, coefficient in enumerate(g):
            rem[shift + i] = (rem[shift + i] - factor * coefficient) % P
        rem = _trim(rem)
    return quotient, rem


class _Reducer:
    """Multiplication modulo a fixed polynomial by Kronecker substitution.

    A polynomial is packed into one integer with ``_SLOT`` bits per coefficient, so a
    product is one big-integer multiplication; the high half is folded back with the
    precomputed residues ``x^k mod m``. Slots hold sums of at most 2·deg(m) products of
    two values below r, which stay below 2^520.
    """

    _SLOT = 520

    def __init__(self, modulus: Poly) -> None:
        monic = poly_gcd(modulus, modulus)
        self.degree = len(monic) - 1
        self._mask = (1 << self._SLOT) - 1
        residues = []
        power = poly_divmod([0] * self.degree + [1], monic)[1]
        for _ in range(self.degree - 1):
            residues.append(self.pack(power))
            power = poly_divmod([0, *power], monic)[1]
        self._residues = residues

    def pack(self, f: Poly) -> int:
        """Return ``Σ f_i·2^(SLOT·i)``."""
        packed = 0
        for coefficient in reversed(f):
            packed = (packed << self._SLOT) | coefficient
        return packed

    def unpack(self, packed: int, length: int) -> Poly:
        """Return the ``length`` lowest slots of ``packed``, reduced mod r."""
        slots = []
        for _ in range(length):
            slots.append((packed & self._mask) % P)
            packed >>= self._SLOT
        return slots

    def mul(self, f: Poly, g: Poly) -> Poly:
        """Return ``f·g mod m`` for ``f, g`` already reduced mod m."""
        product = self.unpack(self.pack(f) * self.pack(g), 2 * self.degree - 1)
        folded = self.pack(product[: self.degree])
        for coefficient, residue in zip(product[self.degree :], self._residues, strict=False):
            folded += coefficient * residue
        return _trim(self.unpack(folded, self.degree))


def poly_pow_mod(base: Poly, exponent: int, modulus: Poly) -> Poly:
    """Return ``base^exponent mod modulus`` (modulus of degree ≥ 1)."""
    reducer = _Reducer(modulus)
    result: Poly = [1]
    square = poly_divmod(base, modulus)[1]
    while exponent:
        if exponent & 1:
            result = reducer.mul(result, square)
        exponent >>= 1
        if exponent:
            square = reducer.mul(square, square)
    return result


def poly_gcd(f: Poly, g: Poly) -> Poly:
    """Return the monic gcd of ``f`` and ``g`` (``[]`` if both are zero)."""
    f, g = _trim(f), _trim(g)
    while g:
        f, g = g, poly_divmod(f, g)[1]
    if not f:
        return f
    inverse = pow(f[-1], -1, P)
    return [x * inverse % P for x in f]


def _sub(f: Poly, g: Poly) -> Poly:
    length = max(len(f), len(g))
    padded_f = f + [0] * (length - len(f))
    padded_g = g + [0] * (length - len(g))
    return _trim([(x - y) % P for x, y in zip(padded_f, padded_g, strict=True)])


def roots_in_field(f: Poly) -> list[int]:
    """Return the distinct roots of ``f`` in Fr, sorted."""
    f = _trim(f)
    if len(f) <= 1:
        return []
    x_to_p = poly_pow_mod([0, 1], P, f)
    linear_part = poly_gcd(f, _sub(x_to_p, [0, 1]))
    return sorted(_split_linear(linear_part))


def _split_linear(g: Poly) -> list[int]:
    """Roots of a monic product of distinct linear factors, by Cantor–Zassenhaus."""
    if len(g) <= 1:
        return []
    if len(g) == 2:
        return [-g[0] % P]
    for shift in range(P):
        power = poly_pow_mod([shift, 1], (P - 1) // 2, g)
        factor = poly_gcd(g, _sub(power, [1]))
        if 1 < len(factor) < len(g):
            return _split_linear(factor) + _split_linear(poly_divmod(g, factor)[0])
    raise ArithmeticError("polynomial does not split into distinct linear factors")
