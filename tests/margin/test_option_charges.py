"""Per-kind option charges (bits 16–17): engine by hand and against a plain transcription of
Deribit's formula, the circuit against the engine, tampered witnesses, and a Groth16 proof."""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from math import ceil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import UnsatisfiedConstraintError
from circuits.frontend import CompiledCircuit, HintFn, compile, get_hint
from circuits.margin.circuit import MarginCircuit, margin_params
from circuits.margin.commitment import snapshot_hash, state_commitment
from circuits.margin.errors import MarginInputError
from circuits.margin.extensions import feature_mask
from circuits.margin.model import AccountState, InstrumentSpec, MarketSnapshot, Opening
from circuits.margin.option_charges import (
    BIT_KIND_SCENARIOS,
    BIT_OPTION_FORMULA,
    OptionFormula,
    OptionRates,
    formula_charge,
)
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.sizes import MarginSize, pad_snapshot, pad_state
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import U
from circuits.margin.witness import Assignment, build_assignment, raw_assignment
from circuits.testing import forge_hint, hint_wires
from tests.margin.helpers import coll, inst, snap, state
from tests.margin.strategies import states

R = SCALAR_FIELD_R
MM, IM = REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL
USD = 1_000_000  # QQ per USD
OPT = MarginSize("options", 4, 2, 4, 2, 2, (1 << BIT_KIND_SCENARIOS) | (1 << BIT_OPTION_FORMULA))
OPT_CONSTRAINTS = 14_460

# Deribit's rates (module docstring of circuits.margin.option_charges).
DERIBIT_CALL = {"maintenance": OptionRates(underlying_ppm=75_000, mark_ppm=U),
                "initial": OptionRates(underlying_ppm=150_000, otm_ppm=U, floor_ppm=100_000,
                                       mark_ppm=U)}  # fmt: skip
DERIBIT_PUT = {"maintenance": OptionRates(underlying_ppm=75_000, mark_floor_ppm=75_000,
                                          mark_ppm=U),
               "initial": OptionRates(underlying_ppm=150_000, otm_ppm=U, floor_ppm=100_000,
                                      mark_floor_ppm=75_000, mark_ppm=U)}  # fmt: skip


def _option(right: str, strike: int, spot: int, mark: int, **extra: object) -> InstrumentSpec:
    rates = DERIBIT_CALL if right == "call" else DERIBIT_PUT
    formula = OptionFormula(right=right, strike=strike, underlying_price=spot, **rates)  # type: ignore[arg-type]
    base = inst(scale=1000, mark=mark, kind="option", risk=[0, 0, 0, 0])
    return base.model_copy(update={"option_formula": formula, **extra})


def _v2(instruments: Sequence[InstrumentSpec], balances: int = 2) -> MarketSnapshot:
    return snap(list(instruments), [coll(), coll(price=3)][:balances], version=2)


@pytest.mark.parametrize(
    ("right", "strike", "mm_per_btc", "im_per_btc"),
    [
        ("call", 66_000, 5_000, 6_500),  # OTM 6 000: the 10 % floor binds for IM
        ("call", 61_000, 5_000, 8_500),  # OTM 1 000: 15 % − OTM binds
        ("call", 50_000, 5_000, 9_500),  # in the money: 15 %
        ("put", 50_000, 5_000, 6_500),  # OTM 10 000
        ("put", 70_000, 5_000, 9_500),  # in the money
    ],
)
def test_deribit_short_option_charges_by_hand(
    right: str, strike: int, mm_per_btc: int, im_per_btc: int
) -> None:
    # BTC at 60 000 USD, option mark 500 USD, short 2 BTC in 0.001 BTC quanta.
    option = _option(right, strike * USD, 60_000 * USD, 500 * USD)
    assert formula_charge(-2_000, option, MM) == 2 * mm_per_btc * USD
    assert formula_charge(-2_000, option, IM) == 2 * im_per_btc * USD
    assert formula_charge(2_000, option, IM) == 0  # longs are not charged


def test_deribit_put_mark_floor_binds_when_the_mark_exceeds_the_spot() -> None:
    # A put whose mark exceeds the underlying (deep ITM, quoted in another unit): 7.5 % of it.
    option = _option("put", 10_000 * USD, 100 * USD, 9_000 * USD)
    assert formula_charge(-1_000, option, MM) == 675 * USD + 9_000 * USD


def _deribit_exact(
    right: str, strike: int, spot: int, mark: int, short: int, kind: int
) -> Fraction:
    """A plain transcription of Deribit's published formulas, exact rationals (size in units)."""
    otm = max(strike - spot, 0) if right == "call" else max(spot - strike, 0)
    s, p = Fraction(spot), Fraction(mark)
    im = max(Fraction(15, 100) - otm / s, Fraction(1, 10)) * s + p
    mm_call, mm_put = (
        Fraction(75, 1000) * s + p,
        max(Fraction(75, 1000) * s, Fraction(75, 1000) * p) + p,
    )
    mm = mm_call if right == "call" else mm_put
    if right == "put":
        im = max(im, mm)
    return (im if kind == IM else mm) * short


@settings(max_examples=200, deadline=None)
@given(
    right=st.sampled_from(["call", "put"]),
    strike=st.integers(1, 10**12),
    spot=st.integers(1, 10**12),
    mark=st.integers(0, 10**12),
    short=st.integers(1, 10**9),
    kind=st.sampled_from([MM, IM]),
)
def test_formula_charge_is_deribits_requirement_rounded_up(
    right: str, strike: int, spot: int, mark: int, short: int, kind: int
) -> None:
    option = _option(right, strike, spot, mark)
    exact = _deribit_exact(right, strike, spot, mark, short, kind) / 1000  # 1000 quanta/unit
    assert formula_charge(-short, option, kind) == ceil(exact)


def test_per_kind_scenarios_apply_to_the_initial_requirement_only() -> None:
    option = inst(kind="option", risk=[100, -50, 300, -10], som=7).model_copy(
        update={"initial_risk_array": [150, -50, 450, -10], "initial_short_option_minimum": 20}
    )
    snapshot = snap([option], [coll()], version=2)
    report = margin_report(state([(-3, 0, 0)], [10_000]), snapshot)
    assert report.scenario_of(MM) == 150 and report.scenario_of(IM) == 150
    report = margin_report(state([(3, 0, 0)], [10_000]), snapshot)
    assert (report.scenario_of(MM), report.scenario_of(IM)) == (900, 1_350)
    assert report.summary()["scenario_initial"] == 1_350
    report = margin_report(state([(-1, 0, 0)], [10_000]), snapshot)
    assert (report.scenario_of(MM), report.scenario_of(IM)) == (50, 50)
    report = margin_report(state([(-10, 0, 0)], [10_000]), snapshot)
    assert (report.scenario_of(MM), report.scenario_of(IM)) == (500, 500)
    assert report.initial_short_option_minimum == 200 and report.short_option_minimum == 70


def test_version_1_snapshot_with_an_option_formula_is_refused() -> None:
    option = _option("call", 70, 60, 5)
    with pytest.raises(ValueError, match="version-1 snapshot cannot use feature option-formula"):
        snap([option], [coll()])
    v1 = snap([option], [coll()], version=2).model_copy(update={"version": 1})
    with pytest.raises(MarginInputError, match="version 1 cannot use option-formula"):
        snapshot_hash(v1)  # a copy that skipped validation is still refused by the hash
    v2 = snap([option], [coll()], version=2)
    assert feature_mask(v2) == 1 << BIT_OPTION_FORMULA


def test_option_fields_are_validated() -> None:
    formula = _option("call", 70, 60, 5).option_formula
    with pytest.raises(ValueError, match="option_formula is set on a perp"):
        InstrumentSpec.model_validate({**inst().model_dump(), "option_formula": formula})
    data = snap([inst(risk=[1])], [coll()]).model_dump()
    data["instruments"][0]["initial_risk_array"] = [1, 2]
    data["version"] = 2
    with pytest.raises(ValueError, match="initial_risk_array has 2 entries"):
        MarketSnapshot.model_validate(data)
    with pytest.raises(ValueError, match="less than or equal to 10000000"):
        OptionRates(mark_ppm=10 * U + 1)


def test_version_1_json_has_no_feature_keys() -> None:
    text = snap([inst()], [coll()]).model_dump_json()
    for key in ("initial_risk_array", "option_formula", "maintenance_fraction_ppm", "rounding"):
        assert key not in text


# --- the circuit ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _circuit() -> CompiledCircuit:
    return compile(MarginCircuit, margin_params(OPT))


def _snapshot() -> MarketSnapshot:
    perp = inst(scale=100, mark=50_000, mm=[(10_000, 0)], im=[(20_000, 0)], risk=[10, -10, 30, -30])
    call = _option("call", 61_000, 60_000, 500).model_copy(
        update={"risk_array": [50, -30, 150, -20], "initial_risk_array": [70, -30, 210, -20],
                "short_option_minimum": 40, "initial_short_option_minimum": 60}
    )  # fmt: skip
    put = _option("put", 50_000, 60_000, 9)
    return pad_snapshot(_v2([perp, call, put]), OPT)


def _opening(account: AccountState, salt: int = 99) -> Opening:
    padded = pad_state(account, OPT)
    return Opening(state=padded, salt=salt, commitment=state_commitment(padded, salt))


def _account(cash: int = 10**7) -> AccountState:
    return state([(300, -140_000, 0), (-2_000, 900_000, 0), (-5_000, 40_000, 0)], [cash, 0])


def test_options_constraint_count_is_pinned() -> None:
    assert _circuit().n_constraints == OPT_CONSTRAINTS


@pytest.mark.parametrize("kind", [MM, IM])
def test_circuit_charges_exactly_what_the_engine_does(kind: int) -> None:
    opening, snapshot = _opening(_account()), _snapshot()
    report = margin_report(opening.state, snapshot)
    circuit = _circuit()
    witness = circuit.solve(build_assignment(opening, snapshot, kind, U))
    # Per instrument: the tier ceiling, then the option charge.
    charges = [witness[w] for w in hint_wires(circuit, "margin/ceil_div")][1::2]
    pairs = zip(opening.state.positions, snapshot.instruments, strict=True)
    expected = [formula_charge(p.size, i, kind) for p, i in pairs]
    assert charges == expected and expected[1] > 0 and expected[2] > 0
    (requirement,) = (witness[w] for w in hint_wires(circuit, "signed_extreme"))
    assert requirement == report.requirement(kind)


def _honest(kind: int = IM) -> Assignment:
    return raw_assignment(_opening(_account()), _snapshot(), kind, U)


def _first_failure(witness: Sequence[int]) -> str:
    failure = _circuit().r1cs.which_is_unsatisfied(witness)
    assert failure is not None, "the R1CS accepted a dishonest witness"
    return failure[1]


def _shifted(name: str, call: int, shift: int) -> HintFn:
    original, counter = get_hint(name), [0]

    def forged(inputs: Sequence[int], n_outputs: int) -> list[int]:
        out = original(inputs, n_outputs)
        if counter[0] == call:
            out = [(out[0] + shift) % R, *out[1:]]
        counter[0] += 1
        return out

    return forged


@pytest.mark.parametrize(("hint", "call", "shift", "label"), [
    # Instrument 1 (the call, OTM 1 000): claim it is not OTM → OTM 0 → check fails.
    ("margin/option_otm_binds", 1, -1, "instrument[1]/option_formula/otm"),
    # Instrument 2 (the put, OTM 10 000): claim OTM is the negative difference.
    ("margin/option_otm_binds", 2, -1, "instrument[2]/option_formula/otm"),
    ("margin/option_unit_charge", 1, -1, "instrument[1]/option_formula/piece[0]"),
    ("margin/option_unit_charge", 2, -1, "instrument[2]/option_formula/piece[1]"),
])  # fmt: skip
def test_forged_option_hint_is_rejected(hint: str, call: int, shift: int, label: str) -> None:
    witness = forge_hint(_circuit(), _honest(), hint, _shifted(hint, call, shift))
    assert _first_failure(witness).startswith(label)


def test_understated_option_charge_is_rejected() -> None:
    forged = _shifted("margin/ceil_div", 3, -1)  # instrument 1's option charge
    witness = forge_hint(_circuit(), _honest(), "margin/ceil_div", forged)
    assert _first_failure(witness).startswith("instrument[1]/option_formula/ceil_remainder")


def test_wrapped_option_charge_is_rejected() -> None:
    forged = _shifted("margin/ceil_div", 3, -(1 << 140))
    witness = forge_hint(_circuit(), _honest(), "margin/ceil_div", forged)
    assert _first_failure(witness).startswith("instrument[1]/option_formula/charge")


@pytest.mark.parametrize(("name", "index", "value"), [
    ("option_rates", 5, 75_000),  # the call's IM α replaced by its MM α
    ("option_terms", 4, 66_000),  # the call's strike
    ("option_terms", 5, 0),  # the call's right: call → put
    ("initial_risk", 4, 50),  # the call's initial array replaced by the maintenance one
    ("initial_short_option_minimum", 1, 40),
])  # fmt: skip
def test_option_value_swapped_after_hashing_is_rejected(name: str, index: int, value: int) -> None:
    assignment = dict(_honest())
    values = list(assignment[name])  # type: ignore[arg-type]
    values[index] = value
    assignment[name] = values
    witness = _circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("snapshot_hash/assert_is_equal")


def test_initial_proof_with_the_maintenance_rates_is_rejected() -> None:
    assignment = dict(_honest(IM))
    maintenance = _honest(MM)
    assignment["option_rates"] = maintenance["option_rates"]
    assignment["other_option_rates_hash"] = maintenance["other_option_rates_hash"]
    witness = _circuit().solve(assignment, check=False)
    assert _first_failure(witness).startswith("snapshot_hash/assert_is_equal")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from([MM, IM]))
def test_circuit_accepts_exactly_when_the_engine_complies(data: st.DataObject, kind: int) -> None:
    spot = data.draw(st.integers(0, 2**64 - 1))
    mark = data.draw(st.integers(0, 2**64 - 1))
    strike = data.draw(st.integers(0, 2**64 - 1))
    rates = st.builds(OptionRates, **{
        f: st.integers(0, 10 * U) for f in
        ("underlying_ppm", "otm_ppm", "floor_ppm", "mark_floor_ppm", "mark_ppm")})  # fmt: skip
    formula = OptionFormula(right=data.draw(st.sampled_from(["call", "put"])), strike=strike,
                            underlying_price=spot, maintenance=data.draw(rates),
                            initial=data.draw(rates))  # fmt: skip
    scale = data.draw(st.sampled_from([1, 7, 1000, 2**30 - 1]))
    risk = st.lists(st.integers(-(2**63), 2**63 - 1), min_size=4, max_size=4)
    option = inst(scale=scale, mark=mark, kind="option", risk=data.draw(risk)).model_copy(
        update={"option_formula": formula, "initial_risk_array": data.draw(risk),
                "initial_short_option_minimum": data.draw(st.integers(0, 2**63 - 1))})  # fmt: skip
    snapshot = pad_snapshot(_v2([option, _snapshot().instruments[0]]), OPT)
    account = data.draw(states(OPT.n_instruments, OPT.n_collateral))
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


def test_version_2_option_snapshot_proves_and_verifies() -> None:
    from prover.prove import prove
    from prover.setup import setup_dev
    from verifier.verify import verify

    circuit = _circuit()
    pk = setup_dev(circuit.r1cs)
    opening, snapshot = _opening(_account()), _snapshot()
    for kind in (MM, IM):
        witness = circuit.solve(build_assignment(opening, snapshot, kind, 1_250_000))
        proof, public = prove(pk, witness)
        assert public == [opening.commitment, snapshot_hash(snapshot), kind, 1_250_000]
        assert verify(pk.vk, proof, public)
        assert not verify(pk.vk, proof, [public[0], public[1], 1 - kind, public[3]])


def test_cli_report_shows_the_per_kind_requirements(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from zkmargin.cli import main

    account = pad_state(_account(), OPT)
    (tmp_path / "state.json").write_text(account.model_dump_json())
    (tmp_path / "snapshot.json").write_text(_snapshot().model_dump_json())
    args = ["margin", "report", str(tmp_path / "state.json"), str(tmp_path / "snapshot.json")]
    assert main([*args, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    report = margin_report(account, _snapshot())
    assert shown["requirement_initial"] == report.requirement(IM) != report.requirement(MM)
    assert shown["scenario_initial"] == report.scenario_of(IM)
    v1 = _snapshot().model_dump()
    v1["version"] = 1
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    assert main(["margin", "report", str(tmp_path / "state.json"), str(tmp_path / "v1.json")]) == 2
    assert "version-1 snapshot cannot use" in capsys.readouterr().err
