"""A ``.solve`` file run by the native interpreter (``native/src/witness.rs``).

The Python replay (:class:`circuits.frontend.solve_program.SolveProgram` over
:mod:`circuits.frontend.program`) is the specification; this runs the same recorded steps
and hints over Fr in Rust, from the file's raw sections, and returns the witness as one
buffer of canonical 32-byte words — never as a list of Python ints. The header is checked
here exactly as :func:`circuits.formats.solve_file.decode_solve_program` checks it; every
index of the step and check sections is bounds-checked by the interpreter, which refuses a
malformed section with ``FormatError``, a failing hint with ``HintError`` and malformed
inputs or cached values with ``MalformedInputError`` (never a crash).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import ModuleType

from algebra.constants import FR_BYTES
from algebra.errors import UnsatisfiedConstraintError
from circuits.formats.binfile import parse_container, unique_section
from circuits.formats.solve_file import (
    LABELS,
    MAGIC,
    OWN_CHECKS,
    OWN_STEPS,
    POOL,
    SHARED_CHECKS,
    SHARED_OUTPUTS,
    SHARED_STEPS,
    VERSION,
    ProgramHeader,
    _header,
    _label_loader,
    program_header,
)
from circuits.frontend.compiled import Assignment
from circuits.frontend.solve_program import flatten_inputs

SOLVER_ENV = "ZKM_SOLVER"
"""``reference`` forces the Python interpreter (the specification); ``native`` requires the
native one; unset or ``auto`` uses the native one when the built extension has it."""


def _extension() -> ModuleType | None:
    try:
        from algebra.native_build import load_native

        native = load_native()
    except ImportError:
        return None
    return native if hasattr(native, "solve_program") else None


def native_solver_wanted() -> bool:
    """Whether solving should use the native interpreter (``ZKM_SOLVER`` and the build).

    Raises:
        BackendUnavailableError: ``ZKM_SOLVER=native`` but the extension has no interpreter.
    """
    choice = os.environ.get(SOLVER_ENV, "auto").strip().lower()
    if choice == "reference":
        return False
    available = _extension() is not None
    if choice == "native" and not available:
        from algebra.errors import BackendUnavailableError

        raise BackendUnavailableError(
            f"{SOLVER_ENV}=native but the native extension has no solve-program interpreter"
        )
    return available


_NO_STEPS = bytes(16)
"""An empty steps section: no combinations (one zero offset), no steps."""


class NativeSolveProgram:
    """A ``.solve`` file's header (checked) and raw sections, solved natively."""

    def __init__(self, data: bytes, what: str = "solve program") -> None:
        """Parse the container and check the header (the sections are checked when run).

        Raises:
            FormatError: wrong magic/version, malformed header or a missing section.
            BackendUnavailableError: the extension has no interpreter, or the program uses a
                hint it does not implement (a version-2 feature's, say).
        """
        native = _extension()
        if native is None:
            from algebra.errors import BackendUnavailableError

            raise BackendUnavailableError("the native extension has no solve-program interpreter")
        self._native = native
        self.what = what
        sections = parse_container(data, MAGIC, VERSION, what)
        self.header: ProgramHeader = program_header(_header(sections, what), what)
        missing = sorted(set(self.header.hint_names) - set(native.solve_hint_names()))
        if missing:
            from algebra.errors import BackendUnavailableError

            raise BackendUnavailableError(
                f"the native interpreter has no hint {', '.join(missing)}: {what} is solved"
                " by the Python interpreter"
            )

        def section(kind: int) -> bytes:
            body = unique_section(sections, kind, what)
            assert body is not None  # unique_section raises on a missing section
            return body

        self._pool = unique_section(sections, POOL, what) or b""
        self._shared_steps, self._own_steps = section(SHARED_STEPS), section(OWN_STEPS)
        self._shared_checks, self._own_checks = section(SHARED_CHECKS), section(OWN_CHECKS)
        self._shared_outputs = section(SHARED_OUTPUTS)
        self._labels = _label_loader(section(LABELS), self.header.n_constraints, what)

    @property
    def n_shared_outputs(self) -> int:
        """How many wires the shared segment writes (a cache entry's length in values)."""
        return len(self._shared_outputs) // 4

    @property
    def shared_output_wires(self) -> bytes:
        """The wires the shared segment writes, as little-endian u32 indices (checked when run)."""
        return self._shared_outputs

    def input_values(self, assignment: Assignment) -> list[int]:
        """Return the flattened input values in wire order; MalformedInputError on bad input."""
        return flatten_inputs(self.header.name, self.header.fields, assignment)

    def solve(
        self,
        assignment: Assignment,
        *,
        shared_values: bytes | None = None,
        check: bool = True,
    ) -> tuple[bytes, bytes]:
        """Return ``(witness, shared)``: all wires and the shared segment's outputs, as bytes.

        Same contract as :meth:`SolveProgram.solve` (``shared_values`` from a cache skips the
        shared steps and checks; ``check`` verifies every recorded row).

        Raises:
            FormatError: a malformed section. HintError: a hint has no answer.
            MalformedInputError: bad inputs, or ``shared_values`` malformed or mis-sized.
            UnsatisfiedConstraintError: a checked row fails (index and label).
        """
        inputs = b"".join(v.to_bytes(FR_BYTES, "little") for v in self.input_values(assignment))
        if check and shared_values is None:
            # As the reference does: the shared rows are checked before any own step runs.
            witness, shared_values = self._run(inputs, _NO_STEPS, None)
            self.raise_on_failure(witness, [self._shared_checks])
        witness, shared = self._run(inputs, self._own_steps, shared_values)
        if check:
            self.raise_on_failure(witness, [self._own_checks])
        return witness, shared

    def _run(
        self, inputs: bytes, own_steps: bytes, shared_values: bytes | None
    ) -> tuple[bytes, bytes]:
        head = self.header
        result: tuple[bytes, bytes] = self._native.solve_program(
            head.n_wires, head.n_inputs, self._pool, head.hint_names, own_steps,
            self._shared_outputs, inputs,
            shared_steps=self._shared_steps if shared_values is None else None,
            shared_values=shared_values,
        )  # fmt: skip
        return result

    def raise_on_failure(self, witness: bytes, checks: Sequence[bytes] | None = None) -> None:
        """Raise UnsatisfiedConstraintError for the first failing row of ``checks`` (check
        sections; default: every recorded check) under ``witness``."""
        head = self.header
        for body in checks if checks is not None else [self._shared_checks, self._own_checks]:
            row = self._native.solve_first_failure(
                head.n_wires, head.n_constraints, self._pool, body, witness
            )
            if row is not None:
                labels = self._labels()
                raise UnsatisfiedConstraintError(row, labels[row] if row < len(labels) else "")
