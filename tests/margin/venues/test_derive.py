"""Derive standard-manager perps and base collateral (fixtures/derive.json), per kind; short
options as the version-2 option formula (bit 17) against a plain transcription of the chain's
isolated option margin (StandardManager._getIsolatedMarginFor{Call,Put})."""

from __future__ import annotations

import random
from fractions import Fraction
from math import ceil
from pathlib import Path
from typing import Any

import pytest

from circuits.margin.model import InstrumentSpec, MarketSnapshot
from circuits.margin.option_charges import OptionRates, formula_charge
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues import derive
from zkmargin.riskdesk.venues.common import qq, quote_collateral, venue_snapshot

DEC = 6
ETH_DECIMALS = 8
MM, IM = REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL
OPTION_IDS = ["short-call-otm", "short-call-near", "short-call-itm", "short-put-otm",
              "short-put-deep-itm"]  # fmt: skip
SIZE_SCALE = 10**4


def _snapshot(kind: int, spot: str) -> MarketSnapshot:
    perp = derive.perp(derive.ETH, mark_price=qq(spot, DEC), size_scale=10**4,
                       n_scenarios=TINY.n_scenarios)  # fmt: skip
    eth = derive.base_collateral(derive.ETH, kind, price=qq(spot, DEC), scale=10**ETH_DECIMALS)
    return venue_snapshot([perp], [quote_collateral("USDC"), eth])


@pytest.mark.parametrize(
    ("kind", "perp_key", "base_key", "margin_key"),
    [
        (REQUIREMENT_MAINTENANCE, "perp_maintenance", "base_collateral_maintenance",
         "maintenance_margin_value"),
        (REQUIREMENT_INITIAL, "perp_initial", "base_collateral_initial", "initial_margin_value"),
    ],
)  # fmt: skip
def test_perp_and_base_collateral_match_the_published_parameters(
    kind: int, perp_key: str, base_key: str, margin_key: str,
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path,
) -> None:  # fmt: skip
    ex = example("derive", "eth-perp-and-base")
    inputs, results = ex["inputs"], ex["results"]
    snapshot = _snapshot(kind, inputs["spot"])
    notional = to_qq(inputs["perp_size"], DEC) * int(inputs["spot"])
    balances = [to_qq(inputs["usdc_balance"], DEC), to_qq(inputs["eth_balance"], ETH_DECIMALS)]
    account = state([(to_qq(inputs["perp_size"], 4), -notional, 0)], balances)
    report = margin_report(account, snapshot)
    assert report.level12(kind) == to_qq(results[perp_key], DEC)
    assert report.collateral == to_qq(results[base_key], DEC)
    assert report.equity - report.requirement(kind) == to_qq(results[margin_key], DEC)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    name = "maintenance" if kind == REQUIREMENT_MAINTENANCE else "initial"
    assert cli[f"slack_{name}"] == 10**6 * to_qq(results[margin_key], DEC)
    keys = tiny_keys if kind == REQUIREMENT_MAINTENANCE else None  # one Groth16 proof
    assert assert_circuit_boundary(account, snapshot, kind, 0, keys) == "tiny"


def test_initial_base_weight_is_discount_times_scale() -> None:
    assert derive.base_weight(derive.ETH, REQUIREMENT_INITIAL) == "3/4"
    assert derive.base_weight(derive.BTC, REQUIREMENT_INITIAL) == "279/400"
    assert derive.base_weight(derive.BTC, REQUIREMENT_MAINTENANCE) == "3/4"


# --- short options (version-2 option formula, bit 17) ------------------------------------------

PARAMS = {"maxSpotReq": Fraction("0.15"), "minSpotReq": Fraction("0.13"),
          "mmCallSpotReq": Fraction("0.09"), "mmPutSpotReq": Fraction("0.09"),
          "MMPutMtMReq": Fraction("0.09"), "mmOffsetScale": Fraction("1.05")}  # fmt: skip
"""The ETH/BTC column of the fixture's parameter page, typed in again (not the profile's)."""


def _isolated_margin(
    right: str, strike: Fraction, spot: Fraction, mark: Fraction, amount: Fraction,
    initial: bool,
) -> Fraction:  # fmt: skip
    """Derive's isolated margin of ``amount`` (< 0) options, negative = required, exact
    rationals: a plain transcription of the chain functions quoted in the fixture."""
    mtm = mark * amount
    if right == "call":
        if not initial:
            return mtm + PARAMS["mmCallSpotReq"] * spot * amount
        otm_ratio = (strike - spot) / spot if strike > spot else Fraction(0)
    else:
        maintenance = min(PARAMS["mmPutSpotReq"] * spot * amount, PARAMS["MMPutMtMReq"] * mtm) + mtm
        if not initial:
            return maintenance
        otm_ratio = (spot - strike) / spot if spot > strike else Fraction(0)
    multiplier = PARAMS["minSpotReq"]
    if PARAMS["maxSpotReq"] > otm_ratio and PARAMS["maxSpotReq"] - otm_ratio > multiplier:
        multiplier = PARAMS["maxSpotReq"] - otm_ratio
    margin = multiplier * spot * amount + mtm
    if right == "call":
        return margin
    return min(margin, maintenance * PARAMS["mmOffsetScale"])


def _max_loss_margin(right: str, strike: Fraction, forward: Fraction, amount: Fraction) -> Fraction:
    """The chain's per-expiry max-loss margin of one short option (payoff at 0 and at the
    strike, plus the unpaired-call charge 1.2·forward per naked call)."""
    put_payoff_at_zero = -strike * -amount if right == "put" else Fraction(0)
    unpaired = Fraction("1.2") * forward * amount if right == "call" else Fraction(0)
    return min(put_payoff_at_zero, Fraction(0)) + unpaired


def _option_slot(
    inputs: dict[str, Any], put_initial: derive.PutInitial = "exact"
) -> InstrumentSpec:
    return derive.option(
        derive.ETH_BTC_OPTIONS, f"ETH-{inputs['strike']}-{inputs['right'][0].upper()}",
        right=inputs["right"], strike=qq(inputs["strike"], DEC), spot=qq(inputs["spot"], DEC),
        mark_price=qq(inputs["mark"], DEC), size_scale=SIZE_SCALE, put_initial=put_initial,
    )  # fmt: skip


def _option_snapshot(slots: list[InstrumentSpec]) -> MarketSnapshot:
    return venue_snapshot(slots, [quote_collateral("USDC")], extended=True)


@pytest.mark.parametrize("example_id", OPTION_IDS)
def test_short_option_is_derives_isolated_margin(
    example_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("derive", example_id)
    inputs, results = ex["inputs"], ex["results"]
    right, amount = inputs["right"], Fraction(inputs["size"])
    strike, spot, mark = (Fraction(inputs[k]) for k in ("strike", "spot", "mark"))
    snapshot = _option_snapshot([_option_slot(inputs)])
    usdc = to_qq(inputs["usdc_balance"], DEC)
    account = state([(to_qq(inputs["size"], 4), 0, 0)], [usdc])
    report = margin_report(account, snapshot)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert report.equity == usdc + to_qq(str(mark * amount), DEC)  # the short's mark-to-market
    for kind, name in ((MM, "maintenance"), (IM, "initial")):
        margin = _isolated_margin(right, strike, spot, mark, amount, kind == IM)
        assert margin > _max_loss_margin(right, strike, spot, amount)  # isolated is Derive's
        requirement = mark * amount - margin  # Derive's requirement beyond the value
        assert requirement == Fraction(results[f"{name}_requirement"])
        value = Fraction(inputs["usdc_balance"]) + margin
        assert value == Fraction(results[f"{name}_margin_value"])
        assert report.requirement(kind) == to_qq(results[f"{name}_requirement"], DEC)
        assert report.equity - report.requirement(kind) == to_qq(str(value), DEC)
        assert cli[f"requirement_{name}"] == report.requirement(kind)
        assert cli[f"slack_{name}"] == 10**6 * to_qq(str(value), DEC)
    if "initial_requirement_bound" in results:
        bound = _option_snapshot([_option_slot(inputs, "bound")])
        got = margin_report(account, bound).requirement(IM)
        assert got == to_qq(results["initial_requirement_bound"], DEC)
        assert 0 < got - report.requirement(IM) <= to_qq(str(-amount * mark / 20), DEC)


def test_short_options_circuit_boundary_both_kinds() -> None:
    examples = [example("derive", example_id) for example_id in OPTION_IDS]
    snapshot = _option_snapshot([_option_slot(ex["inputs"]) for ex in examples])
    account = state([(to_qq(ex["inputs"]["size"], 4), 0, 0) for ex in examples], [0])
    report = margin_report(account, snapshot)
    assert report.initial == sum(to_qq(ex["results"]["initial_requirement"], DEC)
                                 for ex in examples)  # fmt: skip
    for kind in (MM, IM):
        assert assert_circuit_boundary(account, snapshot, kind, 0) == "custom"


def test_option_profile_against_the_transcription_on_random_options() -> None:
    rng = random.Random(15)
    for _ in range(400):
        right = rng.choice(["call", "put"])
        spot = rng.randrange(1, 10**5) * 10**4  # QQ (0.01 USDC steps)
        strike = rng.randrange(1, 3 * spot)
        mark = rng.randrange(0, 3 * spot)
        short = rng.randrange(1, 10**6)
        inputs = {"right": right, "strike": Fraction(strike, 10**DEC),
                  "spot": Fraction(spot, 10**DEC), "mark": Fraction(mark, 10**DEC)}  # fmt: skip
        exact = _option_slot(inputs)
        bound = _option_slot(inputs, "bound")
        amount = Fraction(-short, SIZE_SCALE)
        for kind in (MM, IM):
            margin = _isolated_margin(right, Fraction(strike), Fraction(spot), Fraction(mark),
                                      amount, kind == IM)  # fmt: skip
            venue = ceil(mark * amount - margin)
            assert formula_charge(-short, exact, kind) == venue
            upper = formula_charge(-short, bound, kind)
            if kind == MM or right == "call":
                assert upper == venue
            else:
                assert venue <= upper <= ceil(mark * amount - margin - mark * amount / 20)


def test_option_rates_are_the_published_parameters() -> None:
    params = derive.ETH_BTC_OPTIONS
    mm, im = derive.option_rates(params, "call", strike=1, spot=1, mark=0)
    assert mm == OptionRates(underlying_ppm=90_000)
    assert im == OptionRates(underlying_ppm=150_000, otm_ppm=10**6, floor_ppm=130_000)
    mm, bound = derive.option_rates(params, "put", strike=1, spot=1, mark=0, put_initial="bound")
    assert mm == OptionRates(underlying_ppm=90_000, mark_floor_ppm=90_000)
    assert bound == OptionRates(underlying_ppm=150_000, otm_ppm=10**6, floor_ppm=130_000,
                                mark_floor_ppm=94_500, mark_ppm=50_000)  # fmt: skip
    with pytest.raises(RiskInputError, match="call or put"):
        derive.option_rates(params, "digital", strike=1, spot=1, mark=0)
    with pytest.raises(RiskInputError, match="exact or bound"):
        derive.option_rates(params, "put", strike=1, spot=1, mark=0, put_initial="lower")  # type: ignore[arg-type]
