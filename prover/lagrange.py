"""Lagrange-basis evaluations at a secret point τ, for the single-party dev setup.

For the size-n subgroup ⟨ω⟩: ``L_i(τ) = ω^i·(τ^n − 1) / (n·(τ − ω^i))``. The H query
needs the odd-indexed basis of the 2n-domain, ``L^{(2n)}_{2i+1}(τ)`` (snarkjs's convention).
"""

from __future__ import annotations

from algebra.constants import SCALAR_FIELD_R, root_of_unity

R = SCALAR_FIELD_R


def batch_inverse(values: list[int]) -> list[int]:
    """Return the inverses mod r of nonzero ``values`` with one exponentiation (batch trick)."""
    prefix = [1] * (len(values) + 1)
    for index, value in enumerate(values):
        prefix[index + 1] = prefix[index] * value % R
    running = pow(prefix[-1], R - 2, R)
    out = [0] * len(values)
    for index in range(len(values) - 1, -1, -1):
        out[index] = running * prefix[index] % R
        running = running * values[index] % R
    return out


def lagrange_at(tau: int, points: list[int], domain_size: int) -> list[int]:
    """Return ``L_j(τ)`` on the size-``domain_size`` subgroup for each ``ω^j`` in ``points``.

    Requires ``τ^domain_size ≠ 1`` (τ outside the subgroup).
    """
    vanishing = (pow(tau, domain_size, R) - 1) % R
    scale = vanishing * pow(domain_size, R - 2, R) % R
    inverses = batch_inverse([(tau - point) % R for point in points])
    return [point * scale % R * inv % R for point, inv in zip(points, inverses, strict=True)]


def powers(base: int, count: int, start: int = 1) -> list[int]:
    """Return ``[start, start·base, …, start·base^(count−1)]`` mod r."""
    out = [0] * count
    value = start % R
    for index in range(count):
        out[index] = value
        value = value * base % R
    return out


def domain_lagrange(tau: int, n: int) -> list[int]:
    """Return ``L_i(τ)`` for i < n on the size-n domain."""
    return lagrange_at(tau, powers(root_of_unity(n), n), n)


def odd_lagrange_2n(tau: int, n: int) -> list[int]:
    """Return ``L^{(2n)}_{2i+1}(τ)`` for i < n: the basis behind snarkjs's H query."""
    omega_2n = root_of_unity(2 * n)
    return lagrange_at(tau, powers(omega_2n * omega_2n % R, n, start=omega_2n), 2 * n)
