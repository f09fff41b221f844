"""Rounding profiles (snapshot format version 2, feature bit 8): a venue's own rounding.

A snapshot names its rounding rule in ``rounding``:

* ``per_term`` (the default, the only one of version 1): every term rounded on the
  conservative side on its own (:mod:`circuits.margin.reference`);
* ``dydx_v4``: dYdX v4's rounding, transcribed from ``dydxprotocol/v4-chain`` (commit
  84d4664, read 2026-12-03): ``protocol/lib/quantums.go`` ``BaseToQuoteQuantums`` divides
  with ``big.Int.Quo`` (truncation toward zero), so a position's notional is
  ``N = trunc(q·P/scale)`` — a short's is rounded toward zero — and the margin notional is
  ``|N| = ⌊|q|·P/scale⌋``; ``protocol/x/perpetuals/lib/lib.go``
  ``GetMarginRequirementsInQuoteQuantums`` rounds the initial requirement up,
  ``IM = ⌈|N|·imf/U⌉`` (``BigMulPpm(…, true)``), and the maintenance requirement is that
  rounded base IM times the liquidity tier's maintenance fraction, rounded up again:
  ``MM = ⌈⌈|N|·imf/U⌉·f/U⌉``. An instrument with ``maintenance_fraction_ppm = f`` (which
  needs a single-piece initial schedule, ``imf`` its rate) has maintenance requirement
  ``max(tier requirement, MM)`` — with zero maintenance tiers, exactly dYdX's.

Section elements: per instrument ``imf, f`` (both 0 for an instrument without ``f``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from circuits.margin.extensions import EXTENDED_VERSION, SnapshotFeature, register_feature
from circuits.margin.units import U

if TYPE_CHECKING:
    from circuits.margin.model import AccountState, InstrumentSpec, MarketSnapshot

BIT_ROUNDING: Final = 8
RoundingProfile = Literal["per_term", "dydx_v4"]
DYDX_V4: Final = "dydx_v4"


def check_snapshot(snapshot: MarketSnapshot) -> None:
    """Raise ValueError if a nested maintenance fraction is set outside ``dydx_v4`` or on an
    instrument whose initial schedule has more than one piece, or if a version-1 snapshot
    names a profile other than ``per_term``."""
    if snapshot.version < EXTENDED_VERSION and snapshot.rounding != "per_term":
        raise ValueError(f"a version-1 snapshot cannot use rounding {snapshot.rounding!r}")
    for i, inst in enumerate(snapshot.instruments):
        if inst.maintenance_fraction_ppm is None:
            continue
        if snapshot.rounding != DYDX_V4:
            raise ValueError(
                f"instruments[{i}].maintenance_fraction_ppm needs rounding {DYDX_V4!r}"
            )
        if len(inst.initial_tiers) != 1:
            raise ValueError(
                f"instruments[{i}].maintenance_fraction_ppm needs a single initial tier"
            )


def notional(size: int, inst: InstrumentSpec, profile: str) -> int:
    """Return ``N``: ``⌊q·P/scale⌋`` (per term) or ``trunc(q·P/scale)`` (``dydx_v4``)."""
    product = size * inst.mark_price
    if profile == DYDX_V4 and product < 0:
        return -(-product // inst.size_scale)
    return product // inst.size_scale


def nested_terms(inst: InstrumentSpec) -> tuple[int, int]:
    """Return ``(imf, f)`` of an instrument (``(0, 0)`` without a maintenance fraction)."""
    if inst.maintenance_fraction_ppm is None:
        return 0, 0
    return inst.initial_tiers[0].rate_ppm, inst.maintenance_fraction_ppm


def nested_maintenance(abs_notional: int, inst: InstrumentSpec) -> int:
    """Return ``⌈⌈|N|·imf/U⌉·f/U⌉`` (0 without a maintenance fraction)."""
    imf, fraction = nested_terms(inst)
    initial = -(-abs_notional * imf // U)
    return -(-initial * fraction // U)


def notionals(state: AccountState, snapshot: MarketSnapshot) -> list[int]:
    """Return every position's notional under the snapshot's profile."""
    return [
        notional(p.size, inst, snapshot.rounding)
        for p, inst in zip(state.positions, snapshot.instruments, strict=True)
    ]


def maintenance(
    snapshot: MarketSnapshot, notional_values: list[int], tiers: list[int]
) -> list[int]:
    """Return ``max(tier requirement, nested MM)`` per instrument."""
    return [
        max(t, nested_maintenance(abs(n), inst))
        for t, n, inst in zip(tiers, notional_values, snapshot.instruments, strict=True)
    ]


def _encoding(snapshot: MarketSnapshot) -> list[int]:
    return [v for inst in snapshot.instruments for v in nested_terms(inst)]


ROUNDING_PROFILE = register_feature(
    SnapshotFeature(BIT_ROUNDING, "rounding-profile", lambda s: s.rounding != "per_term",
                    _encoding)
)  # fmt: skip


def assignment(snapshot: MarketSnapshot, mask: int) -> dict[str, int | list[int]]:
    """Return the circuit inputs of the rounding feature (empty when ``mask`` lacks it)."""
    return {"nested_terms": _encoding(snapshot) if mask >> BIT_ROUNDING & 1 else []}
