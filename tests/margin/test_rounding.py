"""Rounding profiles (bit 8): dYdX v4's nested rounding and toward-zero notionals, exact
against a plain transcription of dYdX's Go code, in the engine and the circuit."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import UnsatisfiedConstraintError
from circuits.frontend import CompiledCircuit, HintFn, compile, get_hint
from circuits.margin.circuit import MarginCircuit, margin_params
from circuits.margin.commitment import snapshot_hash, state_commitment
from circuits.margin.errors import MarginInputError
from circuits.margin.model import AccountState, InstrumentSpec, MarketSnapshot, Opening
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.rounding import BIT_ROUNDING
from circuits.margin.sizes import MarginSize, pad_snapshot, pad_state
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from circuits.margin.witness import Assignment, build_assignment, raw_assignment
from circuits.testing import forge_hint, hint_wires
from tests.margin.helpers import coll, inst, snap, state
from tests.margin.strategies import states

R = SCALAR_FIELD_R
MM, IM = REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL
RND = MarginSize("rounding", 4, 2, 4, 2, 2, 1 << BIT_ROUNDING)
RND_CONSTRAINTS = 11_404


# --- a plain transcription of dYdX v4 (dydxprotocol/v4-chain 84d4664, read 2026-12-03) --------


def _quo(a: int, b: int) -> int:
    """Go's big.Int.Quo: truncated division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _div_ceil(a: int, b: int) -> int:
    """lib.BigDivCeil for the non-negative operands it gets here."""
    return -(-a // b)


def base_to_quote_quantums(quantums: int, atomic_resolution: int, price: int, exponent: int) -> int:
    """protocol/lib/quantums.go BaseToQuoteQuantums (QuoteCurrencyAtomicResolution = −6)."""
    num = price * quantums
    e = exponent + atomic_resolution + 6
    return num * 10**e if e >= 0 else _quo(num, 10**-e)


def big_mul_ppm(value: int, ppm: int, round_up: bool) -> int:
    """protocol/lib/big_math.go BigMulPpm."""
    return _div_ceil(value * ppm, U) if round_up else value * ppm // U


def dydx_requirements(
    quantums: int, res: int, price: int, exp: int, imf: int, frac: int
) -> tuple[int, int, int]:
    """Return (net notional, IM, MM): GetNetNotionalInQuoteQuantums and
    GetMarginRequirementsInQuoteQuantums with open-interest scaling off."""
    notional = base_to_quote_quantums(quantums, res, price, exp)
    quote = base_to_quote_quantums(abs(quantums), res, price, exp)
    initial = big_mul_ppm(quote, imf, True)
    return notional, initial, big_mul_ppm(initial, frac, True)


def _dydx_instrument(
    price: int, e: int, imf: int, frac: int | None, n_scenarios: int = 4
) -> InstrumentSpec:
    mark, scale = (price * 10**e, 1) if e >= 0 else (price, 10**-e)
    base = inst(scale=scale, mark=mark, mm=[(0, 0)], im=[(imf, 0)], risk=[0] * n_scenarios)
    return base.model_copy(update={"maintenance_fraction_ppm": frac})


def _dydx_snapshot(instruments: Sequence[InstrumentSpec]) -> MarketSnapshot:
    return snap(list(instruments), [coll()], version=2, rounding="dydx_v4")


@settings(max_examples=300, deadline=None)
@given(
    quantums=st.integers(-(2**63), 2**63 - 1),
    res=st.integers(-12, 0),
    price=st.integers(0, 2**40),
    exp=st.integers(-12, 0),
    imf=st.integers(0, U),
    frac=st.integers(0, U),
)
def test_dydx_profile_equals_dydx_code(
    quantums: int, res: int, price: int, exp: int, imf: int, frac: int
) -> None:
    e = exp + res + 6
    if not -9 <= e <= 4:  # scales < 2^30, marks < 2^64
        return
    snapshot = _dydx_snapshot([_dydx_instrument(price, e, imf, frac, 1)])
    report = margin_report(state([(quantums, 0, 0)], [0]), snapshot)
    notional, initial, maintenance = dydx_requirements(quantums, res, price, exp, imf, frac)
    assert report.notionals == [notional]
    assert report.equity == notional
    assert (report.initial, report.maintenance) == (initial, maintenance)


def test_nested_rounding_by_hand_and_the_per_term_gap() -> None:
    # |N| = 30, IMF 5 %, maintenance fraction 60 %: IM = ⌈1.5⌉ = 2, MM = ⌈1.2⌉ = 2, whereas a
    # flat 3 % rounded once gives ⌈0.9⌉ = 1: one quantum below dYdX's requirement.
    nested = margin_report(
        state([(30, 0, 0)], [0]), _dydx_snapshot([_dydx_instrument(1, 0, 50_000, 600_000, 1)])
    )
    assert (nested.initial, nested.maintenance) == (2, 2)
    flat = margin_report(
        state([(30, 0, 0)], [0]), snap([inst(mark=1, mm=[(30_000, 0)], im=[(50_000, 0)])], [coll()])
    )
    assert (flat.initial, flat.maintenance) == (2, 1)


def test_short_notional_rounds_toward_zero() -> None:
    # q = −5, P = 10, scale = 3: per term ⌊−50/3⌋ = −17; dYdX trunc(−16.67) = −16.
    venue = _dydx_snapshot([inst(scale=3, mark=10, mm=[(0, 0)], im=[(U, 0)])])
    report = margin_report(state([(-5, 0, 0)], [0]), venue)
    assert report.notionals == [-16] and report.initial == 16
    per_term = margin_report(
        state([(-5, 0, 0)], [0]), snap([inst(scale=3, mark=10, mm=[(0, 0)], im=[(U, 0)])], [coll()])
    )
    assert per_term.notionals == [-17] and per_term.initial == 17


def test_rounding_profile_is_validated() -> None:
    with pytest.raises(ValueError, match="needs rounding 'dydx_v4'"):
        snap([_dydx_instrument(1, 0, 50_000, 600_000, 1)], [coll()], version=2)
    tiered = inst(im=[(10_000, 0), (20_000, 5)]).model_copy(update={"maintenance_fraction_ppm": 1})
    with pytest.raises(ValueError, match="single initial tier"):
        _dydx_snapshot([tiered])
    with pytest.raises(ValueError, match="version-1 snapshot cannot use rounding 'dydx_v4'"):
        snap([inst()], [coll()], rounding="dydx_v4")
    unchecked = _dydx_snapshot([inst()]).model_copy(update={"version": 1})
    with pytest.raises(MarginInputError, match="version 1 cannot use rounding-profile"):
        snapshot_hash(unchecked)


# --- the circuit ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _circuit() -> CompiledCircuit:
    return compile(MarginCircuit, margin_params(RND))


def _snapshot() -> MarketSnapshot:
    btc = _dydx_instrument(6_000_000_000, -4, 50_000, 600_000).model_copy(
        update={"mark_price": 6_000_000_007, "size_scale": 3}
    )
    eth = _dydx_instrument(3_000_000_000, -5, 100_000, 500_000)
    perp = inst(scale=100, mark=50_000, mm=[(10_000, 0)], im=[(20_000, 0)], risk=[10, -10, 30, -30])
    return pad_snapshot(_dydx_snapshot([btc, eth, perp]), RND)


def _opening(account: AccountState, salt: int = 77) -> Opening:
    padded = pad_state(account, RND)
    return Opening(state=padded, salt=salt, commitment=state_commitment(padded, salt))


def _account(cash: int = 10**10) -> AccountState:
    return state([(-1_001, 0, 0), (7, 0, 0), (300, -140_000, 0)], [cash, 0])


def test_rounding_constraint_count_is_pinned() -> None:
    assert _circuit().n_constraints == RND_CONSTRAINTS


def _equity_offset(kind: int, delta: int) -> AccountState:
    base = _account()
    report = margin_report(_opening(base).state, _snapshot())
    balances = [base.balances[0] + report.requirement(kind) - report.equity + delta, 0]
    return AccountState(positions=base.positions, balances=balances)


@pytest.mark.parametrize("kind", [MM, IM])
def test_circuit_proves_at_the_venue_requirement_and_not_one_quantum_below(kind: int) -> None:
    snapshot = _snapshot()
    at_limit = _opening(_equity_offset(kind, 0))
    report = margin_report(at_limit.state, snapshot)
    assert report.notionals[0] == -(1_001 * 6_000_000_007 // 3)  # truncated toward zero
    witness = _circuit().solve(build_assignment(at_limit, snapshot, kind, U))
    (requirement,) = (witness[w] for w in hint_wires(_circuit(), "signed_extreme"))
    assert requirement == report.requirement(kind)
    below = _opening(_equity_offset(kind, -1))
    assert not is_compliant(margin_report(below.state, snapshot), kind, U)
    with pytest.raises(UnsatisfiedConstraintError):
        _circuit().solve(raw_assignment(below, snapshot, kind, U))


def _honest(kind: int = MM) -> Assignment:
    return raw_assignment(_opening(_equity_offset(kind, 10)), _snapshot(), kind, U)


def _first_failure(witness: Sequence[int]) -> str:
    failure = _circuit().r1cs.which_is_unsatisfied(witness)
    assert failure is not None, "the R1CS accepted a dishonest witness"
    return failure[1]


def _shifted(name: str, call: int, value: int | None = None, shift: int = 0) -> HintFn:
    original, counter = get_hint(name), [0]

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        out = original(inputs, n_outputs)
        if counter[0] == call:
            out = [value if value is not None else (out[0] + shift) % R, *out[1:]]
        counter[0] += 1
        return out

    return forged


@pytest.mark.parametrize(("hint", "call", "value", "shift", "label"), [
    # Per instrument: tier ceiling, nested IM, nested MM (ceil_div calls 3i, 3i+1, 3i+2).
    ("margin/ceil_div", 1, None, -1, "instrument[0]/nested_maintenance/initial/ceil_remainder"),
    ("margin/ceil_div", 2, None, -1, "instrument[0]/nested_maintenance/maintenance/ceil_remainder"),
    # Per instrument: the tier pair, then the nested max (second_binds calls 2i, 2i+1).
    ("margin/second_binds", 1, 0, 0, "instrument[0]/nested_maintenance/binding"),
    # The short BTC's remainder is non-zero: claiming it is zero breaks is_zero.
    ("inverse_or_zero", 0, 0, 0, "instrument[0]/toward_zero/is_zero"),
])  # fmt: skip
def test_forged_rounding_hint_is_rejected(
    hint: str, call: int, value: int | None, shift: int, label: str
) -> None:
    witness = forge_hint(_circuit(), _honest(), hint, _shifted(hint, call, value, shift))
    assert _first_failure(witness).startswith(label)


@pytest.mark.parametrize(("index", "value"), [(0, 40_000), (1, 500_000)])
def test_nested_terms_swapped_after_hashing_are_rejected(index: int, value: int) -> None:
    assignment = dict(_honest())
    terms = list(assignment["nested_terms"])  # type: ignore[arg-type]
    terms[index] = value
    assignment["nested_terms"] = terms
    witness = _circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("snapshot_hash/assert_is_equal")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from([MM, IM]))
def test_circuit_accepts_exactly_when_the_engine_complies(data: st.DataObject, kind: int) -> None:
    instruments = [
        inst(
            scale=data.draw(st.sampled_from([1, 3, 10**6, 2**30 - 1])),
            mark=data.draw(st.integers(0, 2**64 - 1)),
            mm=[(data.draw(st.integers(0, U)), 0)],
            im=[(data.draw(st.integers(0, U)), 0)],
            risk=[0, 0, 0, 0],
        ).model_copy(update={"maintenance_fraction_ppm": data.draw(st.none() | st.integers(0, U))})
        for _ in range(RND.n_instruments)
    ]
    snapshot = pad_snapshot(_dydx_snapshot(instruments), RND)
    account = data.draw(states(RND.n_instruments, RND.n_collateral))
    if data.draw(st.booleans()):
        positions = [account.positions[0].model_copy(update={"cost_basis": 2**63 - 1})]
        account = AccountState(
            positions=positions + account.positions[1:], balances=account.balances
        )
    opening = _opening(account)
    report = margin_report(opening.state, snapshot)
    assignment = raw_assignment(opening, snapshot, kind, U)
    if not is_compliant(report, kind, U):
        with pytest.raises(UnsatisfiedConstraintError):
            _circuit().solve(assignment)
        return
    witness = _circuit().solve(assignment)
    (requirement,) = (witness[w] for w in hint_wires(_circuit(), "signed_extreme"))
    assert requirement == report.requirement(kind)


def test_version_2_rounding_snapshot_proves_and_verifies() -> None:
    from prover.prove import prove
    from prover.setup import setup_dev
    from verifier.verify import verify

    pk = setup_dev(_circuit().r1cs)
    opening, snapshot = _opening(_equity_offset(MM, 10)), _snapshot()
    witness = _circuit().solve(build_assignment(opening, snapshot, MM, U))
    proof, public = prove(pk, witness)
    assert public == [opening.commitment, snapshot_hash(snapshot), MM, U]
    assert verify(pk.vk, proof, public)
