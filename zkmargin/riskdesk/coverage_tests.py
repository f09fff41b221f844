"""Backtest statistics of margin exceedances: Kupiec's POF and Christoffersen's independence.

* Kupiec, "Techniques for verifying the accuracy of risk measurement models", J.
  Derivatives 3 (1995): with ``x`` exceedances in ``n`` periods and target failure rate
  ``p``, ``LR_pof = −2·ln[(1−p)^{n−x}·p^x] + 2·ln[(1−x/n)^{n−x}·(x/n)^x] ~ χ²(1)``.
* Christoffersen, "Evaluating interval forecasts", Int. Economic Review 39 (1998): with
  ``n_ij`` transitions from state ``i`` to ``j`` (1 = exceedance), ``π_01 = n01/(n00+n01)``,
  ``π_11 = n11/(n10+n11)``, ``π = (n01+n11)/(n00+n01+n10+n11)``,
  ``LR_ind = −2·ln[(1−π)^{n00+n10}·π^{n01+n11}]
  + 2·ln[(1−π01)^{n00}·π01^{n01}·(1−π11)^{n10}·π11^{n11}] ~ χ²(1)``.

``0·ln 0 = 0`` throughout (``scipy.special.xlogy``); p-values from the χ² survival function.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LikelihoodRatio:
    """A likelihood-ratio statistic and its χ²(1) p-value."""

    statistic: float
    p_value: float


def _chi2_1(statistic: float) -> LikelihoodRatio:
    from scipy.special import chdtrc  # χ² survival function, as scipy.stats.chi2.sf

    statistic = max(0.0, statistic)  # rounding can make an exact fit −1e-15
    return LikelihoodRatio(statistic, float(chdtrc(1, statistic)))


def kupiec_pof(n: int, x: int, p: float) -> LikelihoodRatio:
    """Return Kupiec's proportion-of-failures test of ``x`` exceedances in ``n`` at rate ``p``."""
    from scipy.special import xlogy

    if not 0 <= x <= n or n == 0 or not 0 < p < 1:
        raise ValueError("need 0 ≤ x ≤ n, n > 0 and 0 < p < 1")
    rate = x / n
    null = xlogy(n - x, 1 - p) + xlogy(x, p)
    alternative = xlogy(n - x, 1 - rate) + xlogy(x, rate)
    return _chi2_1(float(-2 * (null - alternative)))


def transition_counts(hits: Sequence[bool]) -> tuple[int, int, int, int]:
    """Return ``(n00, n01, n10, n11)`` over consecutive pairs of ``hits``."""
    counts = {(a, b): 0 for a in (False, True) for b in (False, True)}
    for a, b in itertools.pairwise(hits):
        counts[(a, b)] += 1
    return (
        counts[(False, False)],
        counts[(False, True)],
        counts[(True, False)],
        counts[(True, True)],
    )


def christoffersen_independence(hits: Sequence[bool]) -> LikelihoodRatio:
    """Return Christoffersen's test that exceedances do not cluster (first-order Markov)."""
    from scipy.special import xlogy

    n00, n01, n10, n11 = transition_counts(hits)
    total = n00 + n01 + n10 + n11
    if total == 0:
        raise ValueError("need at least two observations")
    pi = (n01 + n11) / total
    pi01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    pi11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    null = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    alternative = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11)
    return _chi2_1(float(-2 * (null - alternative)))
