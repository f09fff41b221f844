"""CME SPAN scanning risk as zkmargin risk arrays (Level 3).

Sources (read 2026-12-03): the scenario order and sign convention of CME's SPAN pages —
https://www.cmegroup.com/confluence/display/pubspan/Risk+Arrays ("Scenario 1-16 … Futures
Price Unchanged; Volatility up the Volatility Scan Range …") and
http://www.cme.com/clearing/rmspan/span/components.html ("risk array values are calculated
for a single long position … losses are represented as positive values, and gains as
negative values"). CME's own slide deck with a numeric worked example is not in the stored
corpus; the public worked example used is the S&P 500 one of L. McMillan, *Options as a
Strategic Investment*, ch. 34 pp. 668–670 (16-scenario arrays of a long future and a long
Dec 410 call, SPAN requirements $10,000, $3,990 and the covered write's array).

A SPAN risk array maps one-to-one onto zkmargin's: ``risk_array[s]`` = loss in QQ of one long
contract under scenario ``s`` (= −profit), the two extreme scenarios already multiplied by
their cover fraction as SPAN publishes them. Scanning risk = ``max_s Σ q_i·L_{i,s}``; the
short option minimum is a per-short-contract charge (``short_option_minimum``). Futures and
options carry zero fractions. Intra-/inter-commodity spread charges and the net option value
are outside the model (the snapshot would carry them pre-computed).
"""

from __future__ import annotations

from collections.abc import Sequence

from circuits.margin.model import InstrumentSpec, MarginTier, ScenarioSpec
from circuits.margin.units import U
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues.common import instrument, qq

_THIRDS = (0, 333_333, 666_667, U)


def scenarios() -> list[ScenarioSpec]:
    """Return SPAN's 16 scenarios in CME's order (metadata; not hashed)."""
    out = [
        ScenarioSpec(name="price unchanged, vol up", vol_move_ppm=U),
        ScenarioSpec(name="price unchanged, vol down", vol_move_ppm=-U),
    ]
    for third in (1, 2, 3):
        for sign, word in ((1, "up"), (-1, "down")):
            for vol, vword in ((U, "up"), (-U, "down")):
                out.append(
                    ScenarioSpec(
                        name=f"price {word} {third}/3, vol {vword}",
                        price_move_ppm=sign * _THIRDS[third], vol_move_ppm=vol,
                    )
                )  # fmt: skip
    out.append(
        ScenarioSpec(name="price up extreme (2x, 35%)", price_move_ppm=2 * U, cover_ppm=350_000)
    )
    out.append(
        ScenarioSpec(name="price down extreme (2x, 35%)", price_move_ppm=-2 * U, cover_ppm=350_000)
    )
    return out


def risk_array(profit_per_contract: Sequence[int | str], quote_decimals: int) -> list[int]:
    """Return the zkmargin risk array (loss in QQ per long contract) from SPAN's 16 P/L values."""
    if len(profit_per_contract) != 16:
        raise RiskInputError(f"a SPAN risk array has 16 values, got {len(profit_per_contract)}")
    return [-qq(p, quote_decimals) for p in profit_per_contract]


def contract(
    symbol: str,
    *,
    kind: str,
    profit_per_contract: Sequence[int | str],
    mark_price: int,
    short_option_minimum: int = 0,
    quote_decimals: int = 2,
) -> InstrumentSpec:
    """Return a SPAN-margined slot: zero fractions, the risk array and the SOM per short."""
    zero = [MarginTier(rate_ppm=0)]
    return instrument(
        symbol, kind=kind, size_scale=1, mark_price=mark_price, maintenance=zero, initial=zero,
        n_scenarios=16, risk_array=risk_array(profit_per_contract, quote_decimals),
        short_option_minimum=short_option_minimum,
    )  # fmt: skip
