"""Deribit's size-linear futures margin (fixtures/deribit.json): chords exact at the published
25 and 350 BTC examples, conservative between, and measured below beyond the last chord;
version-2 size-rates express the affine rule itself: exact at every size to the satoshi.
Options: the version-2 option formula (bit 17) is Deribit's short call / put rule rounded up
once to the satoshi (coin-margined: S = one BTC, K = K_usd/S_usd BTC)."""

from __future__ import annotations

import random
from fractions import Fraction
from math import ceil
from pathlib import Path
from typing import Any

import pytest

from circuits.margin.extensions import feature_mask
from circuits.margin.model import InstrumentSpec, MarketSnapshot
from circuits.margin.option_charges import BIT_OPTION_FORMULA, OptionRates, formula_charge
from circuits.margin.reference import margin_report
from circuits.margin.sizes import TINY
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from tests.margin.helpers import state
from tests.margin.venues.helpers import assert_circuit_boundary, cli_report, example, to_qq
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.venues import deribit
from zkmargin.riskdesk.venues.common import quote_collateral, venue_snapshot

DEC = deribit.SATOSHI_DECIMALS
SCALE = 10**4  # 0.0001 BTC a size quantum
MM, IM = REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL
OPTION_IDS = ["option-short-call-otm", "option-short-call-itm", "option-short-put-otm",
              "option-short-put-itm", "option-short-put-deep-itm"]  # fmt: skip


def _snapshot(chords: list[int]) -> MarketSnapshot:
    fut = deribit.future(
        "BTC-FUT", sizes_btc=chords, size_scale=SCALE, n_scenarios=TINY.n_scenarios
    )
    return venue_snapshot([fut], [quote_collateral("BTC")], quote_decimals=DEC)


@pytest.mark.parametrize("example_id", ["futures-im-25-btc", "futures-im-350-btc"])
def test_published_initial_margins_are_reproduced_to_the_satoshi(
    example_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_keys: Path
) -> None:
    ex = example("deribit", example_id)
    inputs, results = ex["inputs"], ex["results"]
    snapshot = _snapshot(inputs["chords"])
    size = Fraction(inputs["size"])
    account = state([(to_qq(inputs["size"], 4), 0, 0)], [0])
    report = margin_report(account, snapshot)
    assert report.initial == to_qq(results["initial_margin"], DEC)
    assert report.initial == deribit.margin_btc(size, deribit.INITIAL) * 10**DEC
    assert report.maintenance == to_qq(results["maintenance_margin"], DEC)
    assert report.maintenance == deribit.margin_btc(size, deribit.MAINTENANCE) * 10**DEC
    cli = cli_report(tmp_path, capsys, account, snapshot)
    assert (cli["initial"], cli["maintenance"]) == (report.initial, report.maintenance)
    if example_id == "futures-im-25-btc":
        for kind in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL):
            keys = tiny_keys if kind == REQUIREMENT_INITIAL else None  # one Groth16 proof
            assert assert_circuit_boundary(account, snapshot, kind, 0, keys) == "tiny"


def test_chords_are_conservative_between_and_below_beyond_the_last_size() -> None:
    ex = example("deribit", "futures-between-and-beyond")
    snapshot = _snapshot(ex["inputs"]["chords"])
    model = ex["model"]
    for size, venue in ex["results"]["venue_initial_margin"].items():
        engine = margin_report(state([(to_qq(size, 4), 0, 0)], [0]), snapshot).initial
        assert deribit.margin_btc(Fraction(size), deribit.INITIAL) == Fraction(venue)
        gap = engine - to_qq(venue, DEC)
        if size in model["excess_qq"]:
            assert gap == model["excess_qq"][size]
        else:
            assert -gap == model["deficit_qq"][size]
    for tenth in range(1, 3501):  # every 0.1 BTC up to the last chord: never below
        size = Fraction(tenth, 10)
        engine = margin_report(state([(tenth * 1000, 0, 0)], [0]), snapshot).initial
        assert engine >= deribit.margin_btc(size, deribit.INITIAL) * 10**DEC


def _sized_snapshot() -> MarketSnapshot:
    fut = deribit.sized_future("BTC-FUT", size_scale=SCALE, n_scenarios=1)
    return venue_snapshot([fut], [quote_collateral("BTC")], quote_decimals=DEC, extended=True)


def test_size_rates_reproduce_between_and_beyond_the_chords_to_the_satoshi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("deribit", "futures-between-and-beyond")
    snapshot = _sized_snapshot()
    assert snapshot.version == 2
    for size, venue in ex["results"]["venue_initial_margin"].items():
        account = state([(to_qq(size, 4), 0, 0)], [0])
        report = margin_report(account, snapshot)
        assert report.initial == to_qq(venue, DEC)
        cli = cli_report(tmp_path, capsys, account, snapshot)
        assert cli["initial"] == to_qq(venue, DEC)
    for tenth in range(1, 10_001):  # every 0.1 BTC to 1 000 BTC, both kinds: the ceiling
        size_btc = Fraction(tenth, 10)
        report = margin_report(state([(-tenth * SCALE // 10, 0, 0)], [0]), snapshot)
        for got, rule in ((report.initial, deribit.INITIAL),
                          (report.maintenance, deribit.MAINTENANCE)):  # fmt: skip
            venue_sat = deribit.margin_btc(size_btc, rule) * 10**DEC
            assert got == -(-venue_sat.numerator // venue_sat.denominator)
    account = state([(to_qq("700", 4), 0, 0)], [0])
    assert assert_circuit_boundary(account, snapshot, REQUIREMENT_INITIAL, 0) == "custom"


# --- options (version-2 option formula, bit 17) ----------------------------------------------


def _deribit_option_btc(
    right: str, strike_usd: Fraction, spot_usd: Fraction, mark: Fraction, kind: int
) -> Fraction:
    """Deribit's published short-option margin per 1-BTC contract in BTC, exact rationals: a
    plain transcription of the quoted rule (fixture source 3), in USD strikes, not the engine's."""
    diff = strike_usd - spot_usd if right == "call" else spot_usd - strike_usd
    otm = max(diff, Fraction(0))
    im = max(Fraction("0.15") - otm / spot_usd, Fraction("0.1")) + mark
    if right == "call":
        return im if kind == IM else Fraction("0.075") + mark
    mm = max(Fraction("0.075"), Fraction("0.075") * mark) + mark
    return max(im, mm) if kind == IM else mm


def _option_slot(inputs: dict[str, Any], symbol: str = "BTC-OPT") -> InstrumentSpec:
    return deribit.option(
        symbol, right=inputs["right"],
        strike=deribit.coin_strike(inputs["strike_usd"], inputs["spot_usd"]),
        mark_price=to_qq(inputs["mark_btc"], DEC), size_scale=SCALE,
    )  # fmt: skip


@pytest.mark.parametrize("example_id", OPTION_IDS)
def test_option_margins_are_deribits_formula_rounded_up(
    example_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ex = example("deribit", example_id)
    inputs, results = ex["inputs"], ex["results"]
    snapshot = deribit.option_snapshot([_option_slot(inputs)])
    assert snapshot.version == 2 and feature_mask(snapshot) == 1 << BIT_OPTION_FORMULA
    size = Fraction(inputs["size"])
    account = state([(to_qq(inputs["size"], 4), 0, 0)], [0])
    report = margin_report(account, snapshot)
    cli = cli_report(tmp_path, capsys, account, snapshot)
    for kind, key, name in ((IM, "initial_margin", "initial"),
                            (MM, "maintenance_margin", "maintenance")):  # fmt: skip
        per_contract = _deribit_option_btc(
            inputs["right"], Fraction(inputs["strike_usd"]), Fraction(inputs["spot_usd"]),
            Fraction(inputs["mark_btc"]), kind,
        )  # fmt: skip
        venue = -size * per_contract
        assert venue == Fraction(results[key])
        assert ceil(venue * 10**DEC) == results[f"{key}_satoshi"]
        assert report.level12(kind) == report.requirement(kind) == results[f"{key}_satoshi"]
        assert cli[name] == results[f"{key}_satoshi"]
    held = margin_report(state([(-to_qq(inputs["size"], 4), 0, 0)], [0]), snapshot)
    assert held.initial == held.maintenance == 0  # a long is not charged


def test_option_snapshot_circuit_boundary_both_kinds() -> None:
    examples = [example("deribit", example_id) for example_id in OPTION_IDS]
    snapshot = deribit.option_snapshot(
        [_option_slot(ex["inputs"], f"OPT-{k}") for k, ex in enumerate(examples)]
    )
    account = state([(to_qq(ex["inputs"]["size"], 4), 0, 0) for ex in examples], [0])
    report = margin_report(account, snapshot)
    assert report.initial == sum(ex["results"]["initial_margin_satoshi"] for ex in examples)
    assert report.maintenance == sum(ex["results"]["maintenance_margin_satoshi"] for ex in examples)
    for kind in (MM, IM):
        assert assert_circuit_boundary(account, snapshot, kind, 0) == "custom"


def test_option_profile_matches_the_transcription_on_random_options() -> None:
    rng = random.Random(17)
    spot_usd = Fraction(50_000)
    for _ in range(400):
        right = rng.choice(["call", "put"])
        strike_sat = rng.randrange(1, 4 * 10**DEC)
        mark_sat = rng.randrange(0, 3 * 10**DEC)
        short = rng.randrange(1, 10**7)  # 0.0001 BTC quanta
        slot = deribit.option("X", right=right, strike=strike_sat, mark_price=mark_sat,
                              size_scale=SCALE)  # fmt: skip
        strike_usd = Fraction(strike_sat, 10**DEC) * spot_usd
        for kind in (MM, IM):
            venue = _deribit_option_btc(right, strike_usd, spot_usd,
                                        Fraction(mark_sat, 10**DEC), kind)  # fmt: skip
            expected = ceil(venue * Fraction(short, SCALE) * 10**DEC)
            assert formula_charge(-short, slot, kind) == expected


def test_option_rates_are_the_published_decimals_and_strikes_are_exact() -> None:
    maintenance, initial = deribit.option_rates("put")
    assert maintenance == OptionRates(underlying_ppm=75_000, mark_floor_ppm=75_000, mark_ppm=10**6)
    assert initial == OptionRates(underlying_ppm=150_000, otm_ppm=10**6, floor_ppm=100_000,
                                  mark_floor_ppm=75_000, mark_ppm=10**6)  # fmt: skip
    assert deribit.option_rates("call")[0] == OptionRates(underlying_ppm=75_000, mark_ppm=10**6)
    assert deribit.coin_strike("52000", "50000") == 104_000_000
    with pytest.raises(RiskInputError, match="not a whole number"):
        deribit.coin_strike("50000", "30000")  # 5/3 BTC is not whole satoshi
    with pytest.raises(RiskInputError, match="call or put"):
        deribit.option_rates("straddle")
