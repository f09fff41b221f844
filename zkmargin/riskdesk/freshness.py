"""Staleness of market inputs against an injectable clock.

A snapshot whose inputs were observed more than ``max_age_seconds`` ago is stale and is
refused; one dated in the future (beyond a small clock skew) is refused too. The clock is
a parameter (``time.time`` by default) so that tests and replays fix "now".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from zkmargin.riskdesk.errors import StaleInputError

Clock = Callable[[], float]
MAX_CLOCK_SKEW_SECONDS = 300


def check_fresh(as_of: int, *, max_age_seconds: int, clock: Clock = time.time) -> None:
    """Raise StaleInputError unless ``now − max_age ≤ as_of ≤ now + skew``."""
    now = clock()
    age = now - as_of
    if age > max_age_seconds:
        raise StaleInputError(
            f"market inputs are stale: as of {as_of}, {int(age)} s old"
            f" (maximum {max_age_seconds} s)"
        )
    if -age > MAX_CLOCK_SKEW_SECONDS:
        raise StaleInputError(
            f"market inputs are dated {int(-age)} s in the future (as of {as_of})"
        )
