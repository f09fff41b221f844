"""Features 0–2 in MarginCircuit: the circuit agrees with the engine on random version-2
states, and forged hints (square root off by one either way, understated size requirement,
overstated size-weighted value, wrapped values) are rejected by the R1CS."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import UnsatisfiedConstraintError
from circuits.frontend import HintFn, get_hint
from circuits.margin.errors import MarginInputError
from circuits.margin.model import MarketSnapshot
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.size_rate_model import (
    KindSizeRates,
    OpenInterest,
    OpenInterestScaling,
    SizeRate,
    SizeWeights,
)
from circuits.margin.size_rates import (
    ceil_sqrt,
    oi_scaling,
    open_interest_rate,
    open_interest_value,
    size_requirement,
    size_weighted_value,
)
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import I64_MIN, MAX_SCALE, U
from circuits.margin.witness import Assignment, raw_assignment
from circuits.testing import forge_hint, hint_wires
from tests.margin.circuit_fixtures import opening_for
from tests.margin.size_rate_fixtures import sized_account, sized_circuit, sized_snapshot
from tests.margin.strategies import snapshots, states

R = SCALAR_FIELD_R
MM, IM = REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL
rates = st.one_of(st.integers(0, 10 * U), st.sampled_from([0, 1, U, 10 * U]))
factors = st.one_of(st.integers(0, 10**6), st.integers(0, (1 << 32) - 1))
quotes = st.one_of(st.integers(0, 10**9), st.integers(0, (1 << 64) - 2))


@st.composite
def size_rates(draw: st.DrawFn) -> SizeRate:
    """A random size rate."""
    return SizeRate(base_ppm=draw(rates), slope_ppm=draw(factors), cap_ppm=draw(rates),
                    premium_base_ppm=draw(rates), factor_ppm=draw(factors))  # fmt: skip


@st.composite
def oi_scalings(draw: st.DrawFn) -> OpenInterestScaling:
    """A random open-interest scaling."""
    base, top = sorted([draw(rates), draw(rates)])
    lower = draw(quotes)
    upper = lower + draw(st.integers(1, (1 << 64) - 1 - lower))
    return OpenInterestScaling(base_ppm=base, top_ppm=top, lower_cap=lower, upper_cap=upper)


@st.composite
def sized_snapshots(draw: st.DrawFn) -> MarketSnapshot:
    """A random tiny snapshot using all three features on random slots."""
    base = draw(snapshots(4, 2, 4))
    instruments = []
    for i, spec in enumerate(base.instruments):
        update: dict[str, object] = {}
        if i == 0 or draw(st.booleans()):
            update["size_rates"] = KindSizeRates(maintenance=draw(size_rates()),
                                                 initial=draw(size_rates()))  # fmt: skip
        if i == 0 or draw(st.booleans()):
            update["open_interest"] = OpenInterest(
                value=draw(quotes), maintenance=draw(oi_scalings()), initial=draw(oi_scalings())
            )
        instruments.append(spec.model_copy(update=update))
    collateral = []
    for j, asset in enumerate(base.collateral):
        weights = None
        if j == 0 or draw(st.booleans()):
            weights = SizeWeights(
                asset_base_ppm=draw(st.integers(0, U)), asset_premium_ppm=draw(st.integers(0, U)),
                asset_factor_ppm=draw(factors), asset_weight_step_ppm=draw(st.integers(1, U)),
                liability_premium_base_ppm=draw(rates), liability_factor_ppm=draw(factors),
            )  # fmt: skip
        collateral.append(asset.model_copy(update={"size_weights": weights}))
    snapshot = base.model_copy(
        update={"version": 2, "instruments": instruments, "collateral": collateral}
    )
    return MarketSnapshot.model_validate(snapshot.model_dump())


def _signed(values: Sequence[int]) -> list[int]:
    return [v - R if v > R // 2 else v for v in values]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from([MM, IM]), small=st.booleans(), rich=st.booleans())
def test_circuit_agrees_with_the_engine_on_random_sized_states(
    data: st.DataObject, kind: int, small: bool, rich: bool
) -> None:
    snapshot = data.draw(sized_snapshots())
    account = data.draw(states(4, 2))
    if small:  # moderate sizes: rates stay in range, most accounts have a real answer
        account = account.model_copy(update={"positions": [
            p.model_copy(update={"size": p.size % 10**6 - 5 * 10**5}) for p in account.positions
        ], "balances": [b % 10**9 - 10**8 for b in account.balances]})  # fmt: skip
    if rich:  # a large cost basis makes most accounts compliant: both branches get hit
        first = account.positions[0].model_copy(update={"cost_basis": (1 << 63) - 1})
        account = account.model_copy(update={"positions": [first, *account.positions[1:]]})
    opening = opening_for(account)
    circuit = sized_circuit()
    assignment = raw_assignment(opening, snapshot, kind, U)
    try:
        report = margin_report(opening.state, snapshot)
    except MarginInputError:  # beyond the circuit's range: no witness satisfies it either
        event("beyond the circuit's range")
        assert circuit.r1cs.which_is_unsatisfied(circuit.solve(assignment, check=False))
        return
    if not is_compliant(report, kind, U):
        event("not compliant")
        with pytest.raises(UnsatisfiedConstraintError):
            circuit.solve(assignment)
        return
    event("compliant")
    witness = circuit.solve(assignment)
    pairs = list(zip(opening.state.positions, snapshot.instruments, strict=True))
    # ceil_div calls per instrument: tier ceiling, OI rate, size requirement
    ceilings = [witness[w] for w in hint_wires(circuit, "margin/ceil_div")]
    assert ceilings[2::3] == [size_requirement(p.size, i, kind) for p, i in pairs]
    assert ceilings[1::3] == [
        open_interest_rate(open_interest_value(i), oi_scaling(i, kind))
        - oi_scaling(i, kind).base_ppm
        for _, i in pairs
    ]
    # floor_div calls per asset: tier value, asset-weight steps, size-weighted value
    floors = _signed([witness[w] for w in hint_wires(circuit, "margin/floor_div")])
    balances = zip(opening.state.balances, snapshot.collateral, strict=True)
    assert floors[2::3] == [size_weighted_value(b, c) for b, c in balances]
    (requirement,) = (witness[w] for w in hint_wires(circuit, "signed_extreme"))
    assert requirement == report.requirement(kind)


@pytest.mark.parametrize(
    ("features", "instrument", "asset", "total"),
    [(0b001, 780, 0, 14026), (0b010, 0, 943, 11538), (0b100, 722, 0, 13794),
     (0b111, 1171, 943, 19312)],
)  # fmt: skip
def test_feature_constraint_counts_are_pinned(
    features: int, instrument: int, asset: int, total: int
) -> None:
    circuit = sized_circuit(features)
    labels = circuit.r1cs.labels
    assert sum(lab.startswith("instrument[0]/size_rate/") for lab in labels) == instrument
    assert sum(lab.startswith("collateral[1]/size_weight/") for lab in labels) == asset
    assert circuit.n_constraints == total


def test_size_weighted_value_wrapped_around_the_field_is_rejected() -> None:
    forged = _shifted("margin/floor_div", 2, [-(1 << 200)])
    failure = _first_failure(_honest(), "margin/floor_div", forged)
    assert failure.startswith("collateral[0]/size_weight/value/"), failure


def test_lying_that_open_interest_is_below_the_lower_cap_is_rejected() -> None:
    # IM of instrument 0 (OI 7 000 000 above lower cap 5 000 000): second_binds calls are
    # tiers, affine cap, then the OI floor (call 2): claim max(t, 0) = 0
    forged = _shifted("margin/second_binds", 2, [1])
    failure = _first_failure(_honest(IM), "margin/second_binds", forged)
    assert failure.startswith("instrument[0]/size_rate/oi_above_lower"), failure


def _honest(kind: int = MM) -> Assignment:
    return raw_assignment(opening_for(sized_account()), sized_snapshot(), kind, U)


def _shifted(name: str, call: int, shifts: Sequence[int]) -> HintFn:
    original, counter = get_hint(name), [0]

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        out = original(inputs, n_outputs)
        if counter[0] == call:
            out = [(v + s) % R for v, s in zip(out, shifts, strict=False)]
        counter[0] += 1
        return out

    return forged


def _first_failure(assignment: Assignment, hint: str, forged: HintFn) -> str:
    witness = forge_hint(sized_circuit(), assignment, hint, forged)
    failure = sized_circuit().r1cs.which_is_unsatisfied(witness)
    assert failure is not None, "the R1CS accepted a dishonest witness"
    return failure[1]


def test_honest_sized_witness_satisfies_the_r1cs() -> None:
    for kind in (MM, IM):
        witness = sized_circuit().solve(_honest(kind))
        assert sized_circuit().r1cs.which_is_unsatisfied(witness) is None


@pytest.mark.parametrize(("shift", "label"), [(-1, "sqrt_covers"), (1, "sqrt_least")])
def test_square_root_off_by_one_is_rejected(shift: int, label: str) -> None:
    failure = _first_failure(
        _honest(), "margin/ceil_sqrt", _shifted("margin/ceil_sqrt", 0, [shift])
    )
    assert failure.startswith(f"instrument[0]/size_rate/{label}"), failure


def test_collateral_square_root_off_by_one_is_rejected() -> None:
    # calls 0–3 are the four instruments' roots; call 4 is collateral 0's
    failure = _first_failure(_honest(), "margin/ceil_sqrt", _shifted("margin/ceil_sqrt", 4, [-1]))
    assert failure.startswith("collateral[0]/size_weight/sqrt_covers"), failure


def test_square_root_wrapped_around_the_field_is_rejected() -> None:
    # s' = r − s satisfies s'² = s² in the field: only the range check stops it
    forged = _shifted("margin/ceil_sqrt", 0, [0])

    def wrapped(inputs: Sequence[int], n_outputs: int) -> list[int]:
        return [(R - forged(inputs, n_outputs)[0]) % R]

    failure = _first_failure(_honest(), "margin/ceil_sqrt", wrapped)
    assert failure.startswith("instrument[0]/size_rate/sqrt/"), failure


def test_understated_size_requirement_is_rejected() -> None:
    # ceil_div calls in instrument 0: the tier ceiling, the OI rate, the size requirement
    forged = _shifted("margin/ceil_div", 2, [-1])
    failure = _first_failure(_honest(), "margin/ceil_div", forged)
    assert failure.startswith("instrument[0]/size_rate/requirement/excess"), failure


def test_understated_open_interest_rate_is_rejected() -> None:
    forged = _shifted("margin/ceil_div", 1, [-1])  # IM: tier, OI rate, size requirement
    failure = _first_failure(_honest(IM), "margin/ceil_div", forged)
    assert failure.startswith("instrument[0]/size_rate/oi_rate/excess"), failure


def test_size_requirement_wrapped_negative_is_rejected() -> None:
    forged = _shifted("margin/ceil_div", 2, [-(1 << 140)])
    failure = _first_failure(_honest(), "margin/ceil_div", forged)
    assert failure.startswith("instrument[0]/size_rate/requirement/"), failure


def test_lying_that_the_tiers_bind_over_the_size_rate_is_rejected() -> None:
    # second_binds call order in instrument 0 (MM): tiers, affine cap, OI floor, OI cap,
    # piece 1, piece 2, then the binding requirement (call 6)
    forged = _shifted("margin/second_binds", 6, [-1])
    failure = _first_failure(_honest(), "margin/second_binds", forged)
    assert failure.startswith("instrument[0]/size_rate/binding"), failure


def test_overstated_size_weighted_asset_weight_is_rejected() -> None:
    # floor_div calls: collateral 0's tier value (0), its weight steps (1), its value (2)
    forged = _shifted("margin/floor_div", 1, [1])
    failure = _first_failure(_honest(), "margin/floor_div", forged)
    assert failure.startswith("collateral[0]/size_weight/asset_weight/remainder"), failure


def test_overstated_size_weighted_value_is_rejected() -> None:
    forged = _shifted("margin/floor_div", 2, [1])
    failure = _first_failure(_honest(), "margin/floor_div", forged)
    assert failure.startswith("collateral[0]/size_weight/remainder"), failure


def test_square_roots_at_the_extreme_sizes_and_scales_solve() -> None:
    """|q| = 2^63 and |b| = 2^63 at scale 2^30 − 1: the largest roots the bounds allow."""
    base = sized_snapshot()
    perp = base.instruments[0].model_copy(
        update={"size_scale": MAX_SCALE, "mark_price": 0, "risk_array": [0, 0, 0, 0]}
    )
    btc = base.collateral[0].model_copy(update={"scale": MAX_SCALE, "price": 0})
    snapshot = MarketSnapshot.model_validate(
        base.model_copy(
            update={
                "instruments": [perp, *base.instruments[1:]],
                "collateral": [btc, *base.collateral[1:]],
            }
        ).model_dump()
    )
    account = sized_account()
    first = account.positions[0].model_copy(update={"size": I64_MIN})
    account = account.model_copy(
        update={"positions": [first, *account.positions[1:]], "balances": [I64_MIN, 10**9]}
    )
    opening = opening_for(account)
    assert is_compliant(margin_report(opening.state, snapshot), MM, U)
    witness = sized_circuit().solve(raw_assignment(opening, snapshot, MM, U))
    roots = [witness[w] for w in hint_wires(sized_circuit(), "margin/ceil_sqrt")]
    assert roots[0] == roots[4] == ceil_sqrt(((1 << 63) + 1) * MAX_SCALE)
    assert roots[0] < 1 << 47
