"""The ``.solve`` artefact and the split solve program: same witness as the compiled circuit,
and a corrupt or hostile file is a FormatError, never a crash or an out-of-range write."""

from __future__ import annotations

import struct
from array import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import FormatError, MalformedInputError, UnsatisfiedConstraintError
from circuits.formats import solve_file
from circuits.formats.binfile import build_container, parse_container
from circuits.formats.solve_file import decode_header, decode_solve_program, encode_solve_program
from circuits.frontend.solve_program import SolveProgram, split_program
from circuits.margin.circuit import SHARED_FIELDS
from circuits.margin.commitment import state_commitment
from circuits.margin.model import Opening
from circuits.margin.sizes import TINY, pad_snapshot, pad_state
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.witness import feature_assignment, raw_assignment, snapshot_assignment
from tests.margin.circuit_fixtures import (
    example_account,
    example_snapshot,
    opening_for,
    tiny_circuit,
)
from tests.margin.strategies import snapshots, states

KEY = bytes(range(32))


def _program() -> SolveProgram:
    return split_program(tiny_circuit(), SHARED_FIELDS)


def _encoded() -> bytes:
    return encode_solve_program(_program(), KEY)


def _sections(data: bytes) -> dict[int, bytes]:
    return {kind: bodies[0] for kind, bodies in parse_container(data, b"zksp", 1, "t").items()}


def _rebuild(sections: dict[int, bytes]) -> bytes:
    return build_container(b"zksp", 1, sorted(sections.items()))


def test_shared_fields_are_the_snapshot_assignment_and_statement_inputs() -> None:
    snapshot_fields = set(snapshot_assignment(example_snapshot(), REQUIREMENT_MAINTENANCE))
    snapshot_fields |= set(feature_assignment(example_snapshot(), REQUIREMENT_MAINTENANCE))
    expected = snapshot_fields | {"snapshot_hash", "requirement_kind", "other_tier_hash"}
    assert set(SHARED_FIELDS) == expected


def test_split_puts_the_snapshot_hash_in_the_shared_segment() -> None:
    program = _program()
    compiled = tiny_circuit()
    assert len(program.shared_steps) + len(program.own_steps) == len(compiled.steps)
    shared_checks, own_checks = program.shared_checks(), program.own_checks()
    assert len(shared_checks) + len(own_checks) == len(compiled.checks)
    # The snapshot sponge is most of the shared work; no trader input reaches it.
    assert len(program.shared_steps) > len(program.own_steps)


def test_decoded_program_solves_to_the_compiled_witness() -> None:
    assignment = raw_assignment(opening_for(example_account()), example_snapshot(), 0, 10**6)
    expected = tiny_circuit().solve(assignment)
    program, bound = decode_solve_program(_encoded())
    assert bound == KEY
    assert program.solve(assignment) == expected
    shared = [expected[w] for w in program.shared_outputs]
    own_only, _ = decode_solve_program(_encoded(), with_shared=False)
    assert own_only.shared_outputs == program.shared_outputs
    assert own_only.solve(assignment, shared_values=shared, check=True) == expected
    assert own_only.solve(assignment, shared_values=shared, check=False) == expected


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.data(),
    st.sampled_from([REQUIREMENT_MAINTENANCE, REQUIREMENT_INITIAL]),
    st.integers(min_value=0, max_value=2**248 - 1),
)
def test_split_program_matches_the_compiled_solver_on_random_states(
    data: st.DataObject, kind: int, salt: int
) -> None:
    """Differential: the stored program, with and without cached shared wires, and the
    compiled Python program give the same witness or the same failing row."""
    snapshot = pad_snapshot(data.draw(snapshots(2, 2, 4)), TINY)
    state = pad_state(data.draw(states(2, 2)), TINY)
    opening = Opening(state=state, salt=salt, commitment=state_commitment(state, salt))
    assignment = raw_assignment(opening, snapshot, kind, 10**6)
    program, _ = decode_solve_program(_encoded())
    try:
        expected = tiny_circuit().solve(assignment)
    except UnsatisfiedConstraintError as error:
        with pytest.raises(UnsatisfiedConstraintError) as caught:
            program.solve(assignment)
        assert (caught.value.index, caught.value.label) == (error.index, error.label)
        return
    assert program.solve(assignment) == expected
    shared = [expected[w] for w in program.shared_outputs]
    assert program.solve(assignment, shared_values=shared) == expected


def test_wrong_number_of_cached_values_is_refused() -> None:
    assignment = raw_assignment(opening_for(example_account()), example_snapshot(), 0, 10**6)
    program, _ = decode_solve_program(_encoded(), with_shared=False)
    with pytest.raises(MalformedInputError, match="cached shared values"):
        program.solve(assignment, shared_values=[0])


def test_labels_name_the_failing_row_after_decoding() -> None:
    poor = raw_assignment(opening_for(example_account(cash=-(10**9))), example_snapshot(), 0, 10**6)
    with pytest.raises(UnsatisfiedConstraintError) as expected:
        tiny_circuit().solve(poor)
    program, _ = decode_solve_program(_encoded())
    with pytest.raises(UnsatisfiedConstraintError) as caught:
        program.solve(poor)
    assert caught.value.label == expected.value.label != ""


def test_header_carries_the_bound_key_and_counts() -> None:
    header = decode_header(_encoded())
    assert header["bound_key"] == KEY.hex()
    assert header["n_constraints"] == tiny_circuit().n_constraints
    assert header["shared_fields"] == list(SHARED_FIELDS)


def _set_word(body: bytes, index: int, value: int) -> bytes:
    words = array("I")
    words.frombytes(body)
    words[index] = value
    return words.tobytes()


def _steps_body_offset(body: bytes) -> int:
    """Word index of the step count in a steps section."""
    n_lcs, n_terms = struct.unpack_from("<II", body)
    return 2 + n_lcs + 1 + 2 * n_terms


def test_step_writing_an_input_wire_is_refused() -> None:
    sections = _sections(_encoded())
    body = sections[solve_file.OWN_STEPS]
    start = _steps_body_offset(body)
    kind, _, n_in = struct.unpack_from("<III", body, 4 * (start + 1))
    # The first own step is a hint: kind, hint, n_in, inputs…, n_out, outputs…
    assert kind == 2
    first_output = start + 1 + 3 + n_in + 1
    sections[solve_file.OWN_STEPS] = _set_word(body, first_output, 1)  # write wire 1
    with pytest.raises(FormatError, match="out of range"):
        decode_solve_program(_rebuild(sections))


@pytest.mark.parametrize("kind", [solve_file.SHARED_STEPS, solve_file.OWN_STEPS])
def test_term_naming_a_wire_past_the_end_is_refused(kind: int) -> None:
    sections = _sections(_encoded())
    body = sections[kind]
    n_lcs = struct.unpack_from("<I", body)[0]
    sections[kind] = _set_word(body, 2 + n_lcs + 1, 2**32 - 1)  # the first term's wire
    with pytest.raises(FormatError, match="out of range"):
        decode_solve_program(_rebuild(sections))


def test_check_naming_a_row_past_the_end_is_refused_when_checks_load() -> None:
    sections = _sections(_encoded())
    body = sections[solve_file.OWN_CHECKS]
    start = _steps_body_offset(body)
    sections[solve_file.OWN_CHECKS] = _set_word(body, start + 1, 10**9)
    program, _ = decode_solve_program(_rebuild(sections))
    with pytest.raises(FormatError, match="row out of range"):
        program.own_checks()


def test_coefficient_not_below_r_is_refused() -> None:
    sections = _sections(_encoded())
    sections[solve_file.POOL] = (
        SCALAR_FIELD_R.to_bytes(32, "little") + sections[solve_file.POOL][32:]
    )
    with pytest.raises(FormatError, match=r"not in \[0, r\)"):
        decode_solve_program(_rebuild(sections))


def test_truncated_segment_is_refused() -> None:
    sections = _sections(_encoded())
    sections[solve_file.OWN_STEPS] = sections[solve_file.OWN_STEPS][:-8]
    with pytest.raises(FormatError):
        decode_solve_program(_rebuild(sections))


def test_shared_outputs_must_match_the_shared_steps() -> None:
    sections = _sections(_encoded())
    outputs = sections[solve_file.SHARED_OUTPUTS]
    sections[solve_file.SHARED_OUTPUTS] = outputs[4:] + outputs[:4]
    with pytest.raises(FormatError, match="do not match"):
        decode_solve_program(_rebuild(sections))


def test_unknown_hint_and_bad_header_are_format_errors() -> None:
    sections = _sections(_encoded())
    header = sections[solve_file.HEADER].replace(b'"bits"', b'"no-such-hint"')
    with pytest.raises(FormatError, match="no hint is registered"):
        decode_solve_program(_rebuild({**sections, solve_file.HEADER: header}))
    with pytest.raises(FormatError, match="header is not JSON"):
        decode_solve_program(_rebuild({**sections, solve_file.HEADER: b"\xff"}))
    with pytest.raises(FormatError, match="bad magic"):
        decode_solve_program(b"zkey" + _encoded()[4:])


def test_label_bomb_is_bounded() -> None:
    import zlib

    sections = _sections(_encoded())
    sections[solve_file.LABELS] = zlib.compress(b"x" * (64 << 20))
    program, _ = decode_solve_program(_rebuild(sections))
    with pytest.raises(FormatError, match="labels"):
        program.labels()
