"""Poseidon's MDS matrix: a Cauchy matrix from the Grain stream, resampled until secure.

Follows ``create_mds_p`` and ``generate_matrix`` of the reference script
``generate_parameters_grain.sage`` (Grassi et al., eprint 2019/458, section 2.3 and
appendix F; the subspace-trail checks come from Grassi, Rechberger and Schofnegger,
"Proving Resistance Against Infinitely Long Subspace Trails", eprint 2020/500):

* draw ``2t`` field elements of ``n`` bits each (reduced mod r, not rejected); redraw them
  all while two coincide; ``x = first t``, ``y = last t``; if some ``x_i + y_j = 0`` start
  again; otherwise ``M[i][j] = 1 / (x_i + y_j)``;
* keep ``M`` only if the three algorithms accept it (with ``s = 1`` S-box per partial
  round), else draw a new Cauchy matrix from the same stream:

  1. for ``i = 1 … t−1``: ``M^i`` is not a scalar matrix; no eigenvector of ``M^i`` with an
     eigenvalue in Fr lies in the subspace ``S_i`` of states that stay inactive for ``i``
     partial rounds; and ``S_i`` is invariant under no ``M^j`` with ``1 ≤ j ≤ i``;
  2. the Krylov space of ``e_0`` under ``M`` is the whole space;
  3. the same holds for ``M^r`` for every ``r = 2 … 4t``.

The matrix acts on the state as ``new_i = Σ_j M[i][j]·state_j``.
"""

from __future__ import annotations

from circuits.std.fp_linalg import (
    Matrix,
    P,
    characteristic_polynomial,
    identity,
    kernel,
    mat_mul,
    mat_vec,
    rank,
    roots_in_field,
)
from circuits.std.grain_lfsr import GrainStream


def cauchy_matrix(stream: GrainStream, width: int, n_bits: int) -> Matrix:
    """Draw distinct ``x, y`` from ``stream`` and return ``[[1/(x_i + y_j)]]``."""
    while True:
        values = [stream.next_int(n_bits) % P for _ in range(2 * width)]
        while len(set(values)) != len(values):
            values = [stream.next_int(n_bits) % P for _ in range(2 * width)]
        xs, ys = values[:width], values[width:]
        if all((x + y) % P for x in xs for y in ys):
            return [[pow(x + y, -1, P) for y in ys] for x in xs]


def generate_mds(stream: GrainStream, width: int, n_bits: int) -> tuple[Matrix, int]:
    """Return the first Cauchy matrix from ``stream`` that passes the checks, and #failures."""
    rejected = 0
    while True:
        matrix = cauchy_matrix(stream, width, n_bits)
        if is_secure_mds(matrix):
            return matrix, rejected
        rejected += 1


def replay_mds(stream: GrainStream, width: int, n_bits: int, rejected: int) -> Matrix:
    """Return the Cauchy matrix that :func:`generate_mds` accepts after ``rejected`` failures.

    Skips the (slow) checks by replaying a verdict recorded from :func:`generate_mds`;
    the draws from ``stream`` are identical, so the result is too.
    """
    for _ in range(rejected):
        cauchy_matrix(stream, width, n_bits)
    return cauchy_matrix(stream, width, n_bits)


def is_secure_mds(matrix: Matrix) -> bool:
    """Return whether ``matrix`` passes algorithms 1, 2 and 3 of the reference script."""
    width = len(matrix)
    powers = [identity(width), matrix]
    for _ in range(4 * width - 1):
        powers.append(mat_mul(powers[-1], matrix))
    krylov_ok = all(_krylov_is_full(powers[r]) for r in range(1, 4 * width + 1))
    return krylov_ok and _no_invariant_subspace_trail(powers)


def _krylov_is_full(matrix: Matrix) -> bool:
    """Algorithm 2 with s = 1: ``e_0, A·e_0, A²·e_0, …`` span the whole space."""
    width = len(matrix)
    vectors = [[int(i == 0) for i in range(width)]]
    for _ in range(width - 1):
        vectors.append(mat_vec(matrix, vectors[-1]))
    return rank(vectors) == width


def _inactive_subspace(powers: list[Matrix], rounds: int) -> Matrix:
    """Basis of ``S_i``: states ``(0, v)`` with ``(M^k)[0][1:]·v = 0`` for ``k = 1 … i−1``."""
    width = len(powers[1])
    equations = [powers[k][0][1:] for k in range(1, rounds)]
    return [[0, *vector] for vector in kernel(equations, width - 1)]


def _no_invariant_subspace_trail(powers: list[Matrix]) -> bool:
    """Algorithm 1 with s = 1, for ``i = 1 … t−1``."""
    width = len(powers[1])
    for i in range(1, width):
        power = powers[i]
        scalar = power[0][0]
        if all(
            power[a][b] == (scalar if a == b else 0) for a in range(width) for b in range(width)
        ):
            return False
        subspace = _inactive_subspace(powers, i)
        if _eigenvector_in(power, subspace):
            return False
        for j in range(1, i + 1):
            image = [mat_vec(powers[j], vector) for vector in subspace]
            if rank(subspace + image) == len(subspace):
                return False
    return True


def _eigenvector_in(matrix: Matrix, subspace: Matrix) -> bool:
    """Whether some eigenvector of ``matrix`` (eigenvalue in Fr) lies in ``subspace``."""
    width = len(matrix)
    for eigenvalue in roots_in_field(characteristic_polynomial(matrix)):
        shifted = [
            [(entry - eigenvalue) % P if a == b else entry for b, entry in enumerate(row)]
            for a, row in enumerate(matrix)
        ]
        eigenspace = kernel(shifted, width)
        if rank(subspace + eigenspace) < len(subspace) + len(eigenspace):
            return True
    return False
