"""The native solve-program interpreter against the Python one (the specification).

Differential: on random states and snapshots, at tiny and standard size, with and without
cached shared wires, both give the same witness or refuse with the same failing row; on
corrupted artefacts both refuse (FormatError), and where a corruption still decodes, both
agree on the witness or both fail.
"""

from __future__ import annotations

import random
import struct
from array import array
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algebra.constants import FR_BYTES, SCALAR_FIELD_R
from algebra.errors import (
    BackendUnavailableError,
    FormatError,
    MalformedInputError,
    UnsatisfiedConstraintError,
)
from circuits.errors import HintError
from circuits.formats import solve_file
from circuits.formats.binfile import build_container, parse_container
from circuits.formats.solve_file import decode_solve_program, encode_solve_program
from circuits.formats.solve_native import SOLVER_ENV, NativeSolveProgram, native_solver_wanted
from circuits.frontend.solve_program import SolveProgram
from circuits.margin.commitment import state_commitment
from circuits.margin.model import Opening
from circuits.margin.sizes import STANDARD, TINY, MarginSize, pad_snapshot, pad_state
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.witness import raw_assignment
from tests.margin.circuit_fixtures import example_account, example_snapshot, opening_for
from tests.margin.strategies import snapshots, states

KEY = bytes(range(32))


@lru_cache(maxsize=2)
def _encoded(size: MarginSize) -> bytes:
    from zkmargin.margin.artefact import margin_solve_program

    return encode_solve_program(margin_solve_program(size), KEY)


def _words(witness: list[int]) -> bytes:
    return b"".join(v.to_bytes(FR_BYTES, "little") for v in witness)


def _sections(data: bytes) -> dict[int, bytes]:
    return {kind: bodies[0] for kind, bodies in parse_container(data, b"zksp", 1, "t").items()}


def _rebuild(sections: dict[int, bytes]) -> bytes:
    return build_container(b"zksp", 1, sorted(sections.items()))


def _assert_same(reference: SolveProgram, native: NativeSolveProgram, assignment: dict) -> None:  # type: ignore[type-arg]
    """Both interpreters: same witness (checked and unchecked, cached or not) or same row."""
    try:
        expected = reference.solve(assignment)
    except UnsatisfiedConstraintError as error:
        with pytest.raises(UnsatisfiedConstraintError) as caught:
            native.solve(assignment)
        assert (caught.value.index, caught.value.label) == (error.index, error.label)
        return
    witness, shared = native.solve(assignment)
    assert witness == _words(expected)
    assert shared == _words([expected[w] for w in reference.shared_outputs])
    assert native.solve(assignment, shared_values=shared, check=False)[0] == witness
    assert native.solve(assignment, check=False)[0] == witness


def test_native_interpreter_is_available() -> None:
    """The built extension has the interpreter, so ``zkm margin prove`` uses it by default."""
    assert native_solver_wanted()


def _random_assignment(data: st.DataObject, size: MarginSize, kind: int, salt: int) -> dict:  # type: ignore[type-arg]
    snapshot = pad_snapshot(data.draw(snapshots(2, 2, size.n_scenarios)), size)
    state = pad_state(data.draw(states(2, 2)), size)
    opening = Opening(state=state, salt=salt, commitment=state_commitment(state, salt))
    return raw_assignment(opening, snapshot, kind, data.draw(st.integers(10**6, 2 * 10**6)))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    st.sampled_from([REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL]),
    st.integers(min_value=0, max_value=2**248 - 1),
)
def test_native_matches_reference_on_random_tiny_states(
    data: st.DataObject, kind: int, salt: int
) -> None:
    reference, _ = decode_solve_program(_encoded(TINY))
    native = NativeSolveProgram(_encoded(TINY))
    _assert_same(reference, native, _random_assignment(data, TINY, kind, salt))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    st.sampled_from([REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL]),
    st.integers(min_value=0, max_value=2**248 - 1),
)
def test_native_matches_reference_on_random_standard_states(
    data: st.DataObject, kind: int, salt: int
) -> None:
    reference, _ = decode_solve_program(_encoded(STANDARD))
    native = NativeSolveProgram(_encoded(STANDARD))
    _assert_same(reference, native, _random_assignment(data, STANDARD, kind, salt))


def test_native_names_the_failing_row_of_a_poor_account() -> None:
    poor = raw_assignment(opening_for(example_account(cash=-(10**9))), example_snapshot(), 0, 10**6)
    reference, _ = decode_solve_program(_encoded(TINY))
    with pytest.raises(UnsatisfiedConstraintError) as expected:
        reference.solve(poor)
    with pytest.raises(UnsatisfiedConstraintError) as caught:
        NativeSolveProgram(_encoded(TINY)).solve(poor)
    assert (caught.value.index, caught.value.label) == (expected.value.index, expected.value.label)
    assert caught.value.label != ""


def test_cached_values_of_the_wrong_length_or_not_below_r_are_refused() -> None:
    good = raw_assignment(opening_for(example_account()), example_snapshot(), 0, 10**6)
    native = NativeSolveProgram(_encoded(TINY))
    _, shared = native.solve(good)
    with pytest.raises(MalformedInputError, match="cached shared values"):
        native.solve(good, shared_values=shared[:-FR_BYTES])
    bad = SCALAR_FIELD_R.to_bytes(FR_BYTES, "little") + shared[FR_BYTES:]
    with pytest.raises(MalformedInputError, match=r"not in \[0, r\)"):
        native.solve(good, shared_values=bad)


def _set_word(body: bytes, index: int, value: int) -> bytes:
    words = array("I")
    words.frombytes(body)
    words[index] = value
    return words.tobytes()


def _steps_start(body: bytes) -> int:
    n_lcs, n_terms = struct.unpack_from("<II", body)
    return 2 + n_lcs + 1 + 2 * n_terms


def _both_refuse(data: bytes) -> None:
    good = raw_assignment(opening_for(example_account()), example_snapshot(), 0, 10**6)
    with pytest.raises(FormatError):
        program, _ = decode_solve_program(data)
        program.solve(good)
    with pytest.raises(FormatError):
        NativeSolveProgram(data).solve(good)


def test_step_writing_an_input_wire_is_refused_by_both() -> None:
    sections = _sections(_encoded(TINY))
    body = sections[solve_file.OWN_STEPS]
    start = _steps_start(body)
    kind, _, n_in = struct.unpack_from("<III", body, 4 * (start + 1))
    assert kind == 2
    sections[solve_file.OWN_STEPS] = _set_word(body, start + 1 + 3 + n_in + 1, 1)
    _both_refuse(_rebuild(sections))


@pytest.mark.parametrize("kind", [solve_file.SHARED_STEPS, solve_file.OWN_STEPS])
def test_term_naming_a_wire_past_the_end_is_refused_by_both(kind: int) -> None:
    sections = _sections(_encoded(TINY))
    n_lcs = struct.unpack_from("<I", sections[kind])[0]
    sections[kind] = _set_word(sections[kind], 2 + n_lcs + 1, 2**32 - 1)
    _both_refuse(_rebuild(sections))


def test_truncated_steps_coefficients_and_outputs_are_refused_by_both() -> None:
    sections = _sections(_encoded(TINY))
    for kind in (solve_file.OWN_STEPS, solve_file.SHARED_STEPS):
        _both_refuse(_rebuild({**sections, kind: sections[kind][:-8]}))
        _both_refuse(_rebuild({**sections, kind: sections[kind] + bytes(4)}))
    pool = SCALAR_FIELD_R.to_bytes(32, "little") + sections[solve_file.POOL][32:]
    _both_refuse(_rebuild({**sections, solve_file.POOL: pool}))
    outputs = sections[solve_file.SHARED_OUTPUTS]
    _both_refuse(_rebuild({**sections, solve_file.SHARED_OUTPUTS: outputs[4:] + outputs[:4]}))
    _both_refuse(_rebuild({**sections, solve_file.SHARED_OUTPUTS: outputs[:-1]}))


def test_check_naming_a_row_past_the_end_is_refused_by_both() -> None:
    sections = _sections(_encoded(TINY))
    body = sections[solve_file.OWN_CHECKS]
    sections[solve_file.OWN_CHECKS] = _set_word(body, _steps_start(body) + 1, 10**9)
    _both_refuse(_rebuild(sections))


def test_unknown_hint_is_refused_by_both() -> None:
    """The reference refuses a hint nobody registered; the native interpreter declines any
    hint it lacks (the prover then falls back to the reference, which refuses it)."""
    sections = _sections(_encoded(TINY))
    header = sections[solve_file.HEADER].replace(b'"bits"', b'"no-such-hint"')
    data = _rebuild({**sections, solve_file.HEADER: header})
    good = raw_assignment(opening_for(example_account()), example_snapshot(), 0, 10**6)
    with pytest.raises(FormatError):
        program, _ = decode_solve_program(data)
        program.solve(good)
    with pytest.raises(BackendUnavailableError, match="no hint no-such-hint"):
        NativeSolveProgram(data)


def test_a_python_only_hint_makes_the_native_interpreter_decline() -> None:
    """A version-2 feature's hint (the ceiling square root) is not native: the native
    interpreter declines the program before running it, naming the hint."""
    sections = _sections(_encoded(TINY))
    header = sections[solve_file.HEADER].replace(b'"bits"', b'"margin/ceil_sqrt"')
    with pytest.raises(BackendUnavailableError, match="margin/ceil_sqrt"):
        NativeSolveProgram(_rebuild({**sections, solve_file.HEADER: header}))


@pytest.mark.parametrize("seed", range(6))
def test_random_word_corruption_gives_the_same_outcome(seed: int) -> None:
    """Overwrite random words of the step sections: whatever the reference does — refuse
    the file, fail a hint or a row, or solve — the native interpreter does the same."""
    rng = random.Random(seed)
    good = raw_assignment(opening_for(example_account()), example_snapshot(), 0, 10**6)
    sections = _sections(_encoded(TINY))
    for _ in range(8):
        kind = rng.choice([solve_file.SHARED_STEPS, solve_file.OWN_STEPS])
        body = sections[kind]
        index = rng.randrange(len(body) // 4)
        value = rng.choice([0, 1, 2, 3, 2**31, 2**32 - 1, rng.randrange(2**32)])
        data = _rebuild({**sections, kind: _set_word(body, index, value)})
        outcome = _reference_outcome(data, good)
        try:
            native: object = NativeSolveProgram(data).solve(good, check=True)[0]
        except UnsatisfiedConstraintError as error:
            native = (UnsatisfiedConstraintError, error.index)
        except (FormatError, HintError) as error:
            native = type(error)
        assert native == outcome, (kind, index, value)


def _reference_outcome(data: bytes, assignment: dict) -> object:  # type: ignore[type-arg]
    try:
        program, _ = decode_solve_program(data)
        return _words(program.solve(assignment))
    except UnsatisfiedConstraintError as error:
        return (UnsatisfiedConstraintError, error.index)
    except (FormatError, HintError) as error:
        return type(error)
    except (ArithmeticError, IndexError, ValueError, TypeError):
        # A plain-Python hint fed malformed arguments (e.g. a zero divisor): the native
        # interpreter names this a HintError.
        return HintError


@pytest.fixture(scope="module")
def tiny_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sample, one opening and dev keys made by ``zkm margin setup``."""
    from zkmargin.cli import main

    root = tmp_path_factory.mktemp("native-solve")
    assert main(["margin", "sample", "--out", str(root), "--size", "tiny", "--accounts", "1"]) == 0
    state = root / "accounts" / "account-000.json"
    assert main(["margin", "commit", str(state), "--out", str(root / "opening.json")]) == 0
    assert main(["margin", "setup", "--size", "tiny", "--out", str(root / "keys"), "--dev"]) == 0
    return root


@pytest.mark.parametrize("order", [("native", "reference"), ("reference", "native")])
def test_both_solvers_prove_and_share_the_per_snapshot_cache(
    tiny_keys: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    order: tuple[str, str],
) -> None:
    """``ZKM_SOLVER`` picks the interpreter; each proves, and each reads the shared-wires
    entry the other wrote (the same bytes), so switching never costs a wrong witness."""
    from circuits.margin.loading import load_opening, load_snapshot
    from zkmargin.margin.workflow import prove_margin, verify_margin

    snapshot = load_snapshot(tiny_keys / "snapshot.json")
    opening = load_opening(tiny_keys / "opening.json", snapshot)
    keys = tiny_keys / "keys"

    def prove_with(solver: str, cache: Path) -> bytes:
        monkeypatch.setenv(SOLVER_ENV, solver)
        monkeypatch.setenv("ZKM_CACHE_DIR", str(cache))
        proof, public = prove_margin(opening, snapshot, keys, 0, 1_000_000)
        assert verify_margin(proof, public, snapshot, keys).valid
        (entry,) = (cache / "shared-wires").glob("*.bin")
        return entry.read_bytes()

    first = prove_with(order[0], tmp_path / "first")
    assert prove_with(order[1], tmp_path / "second") == first  # the same entry, fresh
    assert prove_with(order[1], tmp_path / "first") == first  # read from the other's entry


def test_reference_solver_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SOLVER_ENV, "reference")
    assert not native_solver_wanted()
    monkeypatch.setenv(SOLVER_ENV, "native")
    assert native_solver_wanted()
