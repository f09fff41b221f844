"""The sample market: realistic shape, Black-76 risk arrays, guaranteed compliance mix."""

from __future__ import annotations

import random

import pytest

from circuits.margin.pricing import black76, span_scenarios
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.sample import sample_accounts, sample_snapshot
from circuits.margin.sizes import SIZES, check_fits
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE


def test_black76_put_call_parity_and_intrinsic_at_expiry() -> None:
    call = black76(60_000, 55_000, 0.1, 0.5, True)
    put = black76(60_000, 55_000, 0.1, 0.5, False)
    assert call - put == pytest.approx(5_000, abs=1e-6)
    assert black76(60_000, 55_000, 0.0, 0.5, True) == 5_000


def test_span_grid_has_sixteen_scenarios_with_covered_extremes() -> None:
    scenarios = span_scenarios(16)
    assert len({s.name for s in scenarios}) == 16
    assert [s.cover for s in scenarios if abs(s.price_move) == 2.0] == [0.35, 0.35]
    assert {abs(s.price_move) for s in span_scenarios(4)} == {1.0}


@pytest.mark.parametrize("name", ["tiny", "standard", "large"])
def test_sample_fits_its_size_and_mixes_compliance(name: str) -> None:
    rng = random.Random(3)
    snapshot = sample_snapshot(SIZES[name], rng)
    check_fits(snapshot, SIZES[name])
    symbols = [i.symbol for i in snapshot.instruments]
    assert symbols[:3] == ["BTC-PERP", "ETH-PERP", "SOL-PERP"]
    assert [len(i.maintenance_tiers) for i in snapshot.instruments[:3]] == [2, 2, 2]
    options = [i for i in snapshot.instruments if i.kind == "option"]
    assert options and all(i.maintenance_tiers[0].rate_ppm == 0 for i in options)
    assert all(any(loss > 0 for loss in i.risk_array) for i in options)
    made = sample_accounts(snapshot, 4, rng)
    for _, state, compliant in made:
        report = margin_report(state, snapshot)
        for kind in (REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL):
            assert is_compliant(report, kind) == compliant
    assert [ok for *_, ok in made] == [True, False, True, False]


def test_sample_is_deterministic_for_a_seed() -> None:
    first = sample_snapshot(SIZES["tiny"], random.Random(9))
    assert sample_snapshot(SIZES["tiny"], random.Random(9)) == first
    assert sample_snapshot(SIZES["tiny"], random.Random(10)) != first
