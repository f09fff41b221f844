"""Hand-computed examples of every level and rounding direction, plus model properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.margin.errors import MarginInputError
from circuits.margin.model import AccountState, MarginTier
from circuits.margin.reference import (
    collateral_value,
    funding,
    is_compliant,
    margin_report,
    notional,
    tier_requirement,
)
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from tests.margin.helpers import coll, inst, snap, state
from tests.margin.strategies import snapshots, states

MM, IM = REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL


def test_notional_floors_toward_minus_infinity_for_shorts() -> None:
    spec = inst(scale=3, mark=10)
    assert notional(5, spec) == 16  # 50/3 = 16.67
    assert notional(-5, spec) == -17  # −16.67 rounds down, not toward zero


def test_funding_floors_toward_minus_infinity_both_ways() -> None:
    spec = inst(funding_index=300_001)
    assert funding(-5, 0, spec) == 1  # shorts receive 1.500005 → 1
    assert funding(5, 0, spec) == -2  # longs pay 1.500005 → −2
    assert funding(5, 300_001, spec) == 0


def test_flat_fractions_round_the_requirement_up() -> None:
    assert tier_requirement(17, [_t(333_333)]) == 6  # 5.666661 → 6
    assert tier_requirement(17, [_t(500_000)]) == 9  # 8.5 → 9
    assert tier_requirement(0, [_t(500_000)]) == 0


def test_tiers_take_the_max_of_affine_pieces() -> None:
    tiers = [_t(10_000), _t(20_000, 5)]  # breakpoint |N| = 500
    assert tier_requirement(250, tiers) == 3  # piece 0: ⌈2.5⌉ = 3, piece 1: 5 − 5 = 0
    assert tier_requirement(499, tiers) == 5  # ⌈4.99⌉ = 5 vs ⌈9.98⌉ − 5 = 5
    assert tier_requirement(1000, tiers) == 15  # 10 vs 20 − 5


def test_deposit_value_rounds_down_after_haircut() -> None:
    asset = coll(price=7, scale=100, haircuts=[(900_000, 0)], liability=1_100_000)
    assert collateral_value(1234, asset) == 77  # 77.742
    assert collateral_value(-1234, asset) == -96  # borrow −95.018 → −96 with λ = 1.1


def test_tiered_haircut_takes_the_min_of_affine_pieces() -> None:
    asset = coll(haircuts=[(900_000, 0), (500_000, 40)])  # breakpoint X = 100
    assert collateral_value(50, asset) == 45
    assert collateral_value(1000, asset) == 540  # min(900, 500 + 40)
    assert collateral_value(0, asset) == 0


def test_level_one_report_of_a_long_and_a_short() -> None:
    snapshot = snap(
        [inst(scale=3, mark=10, funding_index=300_001, mm=[(333_333, 0)], im=[(500_000, 0)]),
         inst(scale=1, mark=4, mm=[(100_000, 0)], im=[(200_000, 0)])],
        [coll(price=7, scale=100, haircuts=[(900_000, 0)], liability=1_100_000)],
    )  # fmt: skip
    account = state([(-5, 17, 0), (10, -30, 0)], [1234])
    report = margin_report(account, snapshot)
    assert report.notionals == [-17, 40]
    assert report.funding == [1, 0]
    assert report.collateral == 77
    assert report.equity == 77 + (-17 + 17 + 1) + (40 - 30 + 0)  # 88
    assert report.maintenance == 6 + 4
    assert report.initial == 9 + 8
    assert report.scenario == 0
    assert is_compliant(report, MM) and is_compliant(report, IM)
    assert is_compliant(report, IM, 5_176_470)  # 88 ≥ 5.17647 × 17
    assert not is_compliant(report, IM, 5_176_471)


def test_scenario_margin_covers_options_with_zero_fractions() -> None:
    call = inst(mm=[(0, 0)], risk=[100, -50, 300, -10], som=7, kind="option")
    perp = inst(mark=1000, mm=[(10_000, 0)], risk=[-40, 40, -200, 0])
    snapshot = snap([call, perp], [coll()])
    short_calls = margin_report(state([(-3, 0, 0), (0, 0, 0)], [2000]), snapshot)
    assert short_calls.maintenance == 0
    assert short_calls.scenario_losses == [-300, 150, -900, 30]
    assert short_calls.short_option_minimum == 21
    assert short_calls.scenario == 150
    assert short_calls.requirement(MM) == 150
    assert short_calls.binding(MM) == "scenario"
    hedged = margin_report(state([(2, 0, 0), (5, -5000, 0)], [5000]), snapshot)
    assert hedged.scenario_losses == [0, 100, -400, -20]
    assert hedged.maintenance == 50  # ⌈5000·1%⌉
    assert hedged.requirement(MM) == 100


def test_short_option_minimum_floors_the_scenario_requirement() -> None:
    put = inst(risk=[-5, -5], som=40, kind="option")
    report = margin_report(state([(-2, 0, 0)], [0]), snap([put], [coll()]))
    assert report.scenario_losses == [10, 10]
    assert report.scenario == 80


def test_negative_equity_is_never_compliant_even_without_requirement() -> None:
    snapshot = snap([inst()], [coll(liability=U)])
    report = margin_report(state([(0, 0, 0)], [-1]), snapshot)
    assert report.equity == -1 and report.requirement(MM) == 0
    assert not is_compliant(report, MM)


def test_report_refuses_mismatched_slot_counts() -> None:
    snapshot = snap([inst()], [coll()])
    with pytest.raises(MarginInputError, match="positions has 2 entries"):
        margin_report(state([(0, 0, 0), (0, 0, 0)], [0]), snapshot)


def test_compliance_refuses_a_buffer_below_one() -> None:
    report = margin_report(state([(0, 0, 0)], [1]), snap([inst()], [coll()]))
    with pytest.raises(MarginInputError, match="buffer_ppm"):
        is_compliant(report, MM, 999_999)


def _t(rate: int, deduction: int = 0) -> MarginTier:
    return MarginTier(rate_ppm=rate, deduction=deduction)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_adding_collateral_never_reduces_equity(data: st.DataObject) -> None:
    snapshot = data.draw(snapshots(2, 2, 2))
    account = data.draw(states(2, 2))
    j = data.draw(st.integers(0, 1))
    extra = data.draw(st.integers(0, 10**12))
    balances = list(account.balances)
    if balances[j] + extra >= 1 << 63:
        return
    balances[j] += extra
    richer = AccountState(positions=account.positions, balances=balances)
    assert margin_report(richer, snapshot).equity >= margin_report(account, snapshot).equity


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_requirement_dominates_every_level(data: st.DataObject) -> None:
    snapshot = data.draw(snapshots(3, 1, 3))
    report = margin_report(data.draw(states(3, 1)), snapshot)
    for kind in (MM, IM):
        requirement = report.requirement(kind)
        assert requirement >= report.level12(kind) >= 0
        assert requirement >= report.short_option_minimum >= 0
        assert all(requirement >= loss for loss in report.scenario_losses)
        assert requirement in (report.level12(kind), report.scenario)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_requirement_per_instrument_dominates_every_piece(data: st.DataObject) -> None:
    snapshot = data.draw(snapshots(2, 1, 1))
    report = margin_report(data.draw(states(2, 1)), snapshot)
    for n, spec, m in zip(
        report.notionals, snapshot.instruments, report.maintenance_per_instrument, strict=True
    ):
        for tier in spec.maintenance_tiers:
            assert U * m >= abs(n) * tier.rate_ppm - U * tier.deduction
