"""Snapshot fields of the size-dependent rate features (format version 2, bits 0–2).

Units (``U = 10^6`` ppm; ``scale`` = the instrument's or asset's quanta per whole unit, so
``|q|/scale`` is the size in whole units):

* :class:`SizeRate` — a margin fraction that grows with ``|q|``, per requirement kind::

      rate(|q|) = max( min(cap_ppm, base_ppm + slope_ppm·|q|/scale),
                       premium_base_ppm + factor_ppm·√(|q|/scale) )

  ``slope_ppm`` is ppm per whole unit; ``factor_ppm`` is ppm per √unit — Drift's
  ``imf_factor`` (``SPOT_IMF_PRECISION = 10^6``) as is. The instrument's requirement
  becomes ``max(tier requirement, ⌈|q|·P·rate/(U·scale)⌉)``.
* :class:`OpenInterestScaling` — dYdX v4's open-interest-scaled fraction, per kind::

      rate = base_ppm + (top_ppm − base_ppm)·clamp((OI − lower)/(upper − lower), 0, 1)

  with the open interest ``OI`` (QQ of notional) a hashed market input; it joins the max.
* :class:`SizeWeights` — Drift's size-premium collateral weights: a deposit's weight is
  at most ``step·⌊asset_base·(U + asset_premium)/((U + asset_factor·√(b/scale))·step)⌋``
  (the haircut tiers still apply: the value is the min; Drift: ``asset_base = U``,
  premium 10 %, ``step = 100`` ppm, its 10^-4 weight precision rounded down) and a
  borrow's liability weight is ``max(λ, liability_premium_base + liability_factor·√(|b|/scale))``.

Absent fields are the identity (rates 0, weights unchanged), which is also how padded and
inert slots encode.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from circuits.margin.units import U64_MAX, U

MAX_SIZE_RATE = 10 * U
"""Base, cap and premium-base rates lie in ``[0, 10·U]`` (up to 10× the notional)."""
MAX_SIZE_FACTOR = (1 << 32) - 1
"""Slopes and square-root factors fit in 32 bits (Drift's ``imf_factor`` is a u32)."""

SizeRatePpm = Annotated[int, Field(strict=True, ge=0, le=MAX_SIZE_RATE)]
SizeFactor = Annotated[int, Field(strict=True, ge=0, le=MAX_SIZE_FACTOR)]
Quote = Annotated[int, Field(strict=True, ge=0, le=U64_MAX)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SizeRate(_Frozen):
    """``max(min(cap, base + slope·|q|/scale), premium_base + factor·√(|q|/scale))`` in ppm."""

    base_ppm: SizeRatePpm = 0
    slope_ppm: SizeFactor = 0
    cap_ppm: SizeRatePpm = 0
    premium_base_ppm: SizeRatePpm = 0
    factor_ppm: SizeFactor = 0


class KindSizeRates(_Frozen):
    """The size-dependent fraction of each requirement kind (absent kind: rate 0)."""

    maintenance: SizeRate = SizeRate()
    initial: SizeRate = SizeRate()


class OpenInterestScaling(_Frozen):
    """``base + (top − base)·clamp((OI − lower)/(upper − lower), 0, 1)`` in ppm."""

    base_ppm: SizeRatePpm = 0
    top_ppm: SizeRatePpm = 0
    lower_cap: Quote = 0
    upper_cap: Quote = 1

    @model_validator(mode="after")
    def _order(self) -> OpenInterestScaling:
        if self.top_ppm < self.base_ppm:
            raise ValueError("top_ppm must be at least base_ppm")
        if self.upper_cap <= self.lower_cap:
            raise ValueError("upper_cap must exceed lower_cap")
        return self


class OpenInterest(_Frozen):
    """The instrument's open interest (QQ of notional) and each kind's scaling by it."""

    value: Quote
    maintenance: OpenInterestScaling = OpenInterestScaling()
    initial: OpenInterestScaling = OpenInterestScaling()


class SizeWeights(_Frozen):
    """Drift-style size premiums on a collateral asset's deposit and liability weights."""

    asset_base_ppm: Annotated[int, Field(strict=True, ge=0, le=U)] = U
    asset_premium_ppm: Annotated[int, Field(strict=True, ge=0, le=U)] = 0
    asset_factor_ppm: SizeFactor = 0
    asset_weight_step_ppm: Annotated[int, Field(strict=True, ge=1, le=U)] = 1
    liability_premium_base_ppm: SizeRatePpm = 0
    liability_factor_ppm: SizeFactor = 0


def omit_absent(dumped: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Return ``dumped`` without the version-2 fields in ``names`` that are None, so a
    version-1 snapshot dumps (and its canonical JSON signs) exactly as before."""
    return {k: v for k, v in dumped.items() if not (k in names and v is None)}
