"""The ``.solve`` file: a :class:`SolveProgram` stored beside a key, so proving never recompiles.

An iden3-style container (:mod:`circuits.formats.binfile`), magic ``zksp``, version 1:

1. header: UTF-8 JSON ``{name, params, fields: [[name, public, size|null]…], n_wires,
   n_public, n_constraints, shared_fields, hints: [name…], bound_key: hex}``;
2. coefficient pool: ``k`` canonical Fr values, 32 bytes little-endian each;
3. shared steps, 4. own steps, 5. shared checks, 6. own checks: each a little-endian u32
   stream ``n_lcs ‖ n_terms ‖ offsets[n_lcs+1] ‖ wires[n_terms] ‖ coeff_ids[n_terms] ‖
   n_items ‖ items…`` where linear combination ``i`` is the terms ``offsets[i] ..
   offsets[i+1]``; a step is ``0 out a b`` (product), ``1 out a b`` (quotient) or
   ``2 hint n_in lc… n_out out…`` (hint, by index into ``hints``); a check is ``row a b c``;
7. labels: zlib-compressed, newline-separated, one per R1CS row;
8. shared outputs: the u32 wires the shared steps write, in order (what a cache holds).

Sections 5-7 are decoded only when asked for (checking rows, naming a failing row), and
section 3 is skipped when the shared wires come from a cache.

The file is untrusted input: every index is bounds-checked (wires < n_wires, written wires
past the inputs, coefficients < r, rows < n_constraints), so a corrupt file gives a
FormatError, never a crash or an out-of-range write. ``bound_key`` names the key the
program belongs to (its caller's business to compare).
"""

from __future__ import annotations

import json
import operator
import zlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import FormatError
from circuits.errors import CircuitError
from circuits.formats.binfile import build_container, parse_container, unique_section
from circuits.frontend.hints import get_hint
from circuits.frontend.program import Check, HintStep, MulStep, QuotientStep, Step
from circuits.frontend.schema import InputField
from circuits.frontend.solve_program import SolveProgram, step_outputs
from circuits.frontend.variable import TermTuple

MAGIC = b"zksp"
VERSION = 1
HEADER, POOL, SHARED_STEPS, OWN_STEPS = 1, 2, 3, 4
SHARED_CHECKS, OWN_CHECKS, LABELS, SHARED_OUTPUTS = 5, 6, 7, 8
_MUL, _QUOTIENT, _HINT = 0, 1, 2
_MAX_LABEL_BYTES = 1024


def encode_solve_program(program: SolveProgram, bound_key: bytes) -> bytes:
    """Return the ``.solve`` bytes of ``program``, bound to the key digest ``bound_key``."""
    pool: dict[int, int] = {}
    hints: dict[str, int] = {}
    sections = [
        (SHARED_STEPS, _encode_steps(program.shared_steps, pool, hints)),
        (OWN_STEPS, _encode_steps(program.own_steps, pool, hints)),
        (SHARED_CHECKS, _encode_checks(program.shared_checks(), pool)),
        (OWN_CHECKS, _encode_checks(program.own_checks(), pool)),
    ]
    header = {
        "name": program.name,
        "params": dict(program.params),
        "fields": [[f.name, f.public, f.size] for f in program.fields],
        "n_wires": program.n_wires,
        "n_public": program.n_public,
        "n_constraints": program.n_constraints,
        "shared_fields": list(program.shared_fields),
        "hints": list(hints),
        "bound_key": bound_key.hex(),
    }
    labels = zlib.compress("\n".join(program.labels()).encode("utf-8"), 6)
    return build_container(
        MAGIC,
        VERSION,
        [
            (HEADER, json.dumps(header, sort_keys=True).encode("utf-8")),
            (POOL, b"".join(k.to_bytes(32, "little") for k in pool)),
            *sections,
            (LABELS, labels),
            (SHARED_OUTPUTS, _u32_bytes(array("I", program.shared_outputs))),
        ],
    )


def _encode_steps(steps: Sequence[Step], pool: dict[int, int], hints: dict[str, int]) -> bytes:
    lcs: dict[TermTuple, int] = {}
    body: list[int] = [len(steps)]
    for step in steps:
        if isinstance(step, HintStep):
            hint = hints.setdefault(step.name, len(hints))
            body += [_HINT, hint, len(step.inputs)]
            body += [lcs.setdefault(terms, len(lcs)) for terms in step.inputs]
            body += [len(step.outs), *step.outs]
        else:
            kind = _MUL if isinstance(step, MulStep) else _QUOTIENT
            body += [kind, step.out, lcs.setdefault(step.a, len(lcs))]
            body.append(lcs.setdefault(step.b, len(lcs)))
    return _with_lcs(lcs, pool, body)


def _encode_checks(checks: Sequence[Check], pool: dict[int, int]) -> bytes:
    lcs: dict[TermTuple, int] = {}
    body: list[int] = [len(checks)]
    for check in checks:
        body.append(check.index)
        body += [lcs.setdefault(terms, len(lcs)) for terms in (check.a, check.b, check.c)]
    return _with_lcs(lcs, pool, body)


def _with_lcs(lcs: dict[TermTuple, int], pool: dict[int, int], body: list[int]) -> bytes:
    offsets = [0]
    wires: list[int] = []
    coeff_ids: list[int] = []
    for terms in lcs:
        for wire, coeff in terms:
            wires.append(wire)
            coeff_ids.append(pool.setdefault(coeff, len(pool)))
        offsets.append(len(wires))
    return _u32_bytes(array("I", [len(lcs), len(wires), *offsets, *wires, *coeff_ids, *body]))


def _u32_bytes(words: array[int]) -> bytes:
    return words.tobytes() if _LITTLE else _swapped(words)


_LITTLE = array("I", [1]).tobytes()[0] == 1


def _swapped(words: array[int]) -> bytes:
    copy = array("I", words)
    copy.byteswap()
    return copy.tobytes()


def _words(body: bytes, what: str) -> array[int]:
    if len(body) % 4:
        raise FormatError(f"{what} is not a whole number of u32 words")
    words = array("I")
    words.frombytes(body)
    if not _LITTLE:
        words.byteswap()
    return words


class _Cursor:
    """A bounds-checked cursor over a segment's u32 words (a list: indexing it is fast)."""

    def __init__(self, words: array[int], what: str) -> None:
        self.words: list[int] = words.tolist()
        self.pos, self.what = 0, what

    def take(self, count: int) -> list[int]:
        end = self.pos + count
        if end > len(self.words):
            raise FormatError(f"{self.what} is truncated")
        chunk = self.words[self.pos : end]
        self.pos = end
        return chunk

    def one(self) -> int:
        try:
            value = self.words[self.pos]
        except IndexError:
            raise FormatError(f"{self.what} is truncated") from None
        self.pos += 1
        return value


def decode_header(data: bytes, what: str = "solve program") -> dict[str, Any]:
    """Return the header of a ``.solve`` file (cheap: for checking its binding first)."""
    sections = parse_container(data, MAGIC, VERSION, what)
    return _header(sections, what)


def _header(sections: dict[int, list[bytes]], what: str) -> dict[str, Any]:
    raw = unique_section(sections, HEADER, what)
    assert raw is not None
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(f"{what}: header is not JSON") from error
    if not isinstance(header, dict):
        raise FormatError(f"{what}: header is not an object")
    return header


def decode_solve_program(
    data: bytes, what: str = "solve program", *, with_shared: bool = True
) -> tuple[SolveProgram, bytes]:
    """Return the program in ``data`` and the key digest it is bound to.

    Args:
        with_shared: decode the shared steps (skip them when their wires come from a
            cache: ``shared_steps`` is then one placeholder step that only names the
            outputs and refuses to run).

    Raises:
        FormatError: wrong magic/version, malformed header, or any index out of bounds.
    """
    sections = parse_container(data, MAGIC, VERSION, what)
    head = program_header(_header(sections, what), what)
    fields, hint_names, n_wires = head.fields, head.hint_names, head.n_wires
    n_inputs, n_constraints = head.n_inputs, head.n_constraints
    try:
        hints = [get_hint(h) for h in hint_names]
    except CircuitError as error:
        raise FormatError(f"{what}: {error}") from None
    pool = _pool(unique_section(sections, POOL, what) or b"", what)
    limits = _Limits(n_wires, n_inputs, n_constraints, pool, hint_names, hints)
    own = _decode_steps(_section(sections, OWN_STEPS, what), limits, f"{what} own steps")
    outputs = _outputs(_section(sections, SHARED_OUTPUTS, what), limits, what)
    if with_shared:
        shared = _decode_steps(_section(sections, SHARED_STEPS, what), limits, what)
        if [w for step in shared for w in step_outputs(step)] != outputs:
            raise FormatError(f"{what}: the shared outputs do not match the shared steps")
    else:
        shared = [HintStep("cached", _not_runnable, (), tuple(outputs))]
    shared_checks = _check_loader(_section(sections, SHARED_CHECKS, what), limits, what)
    own_checks = _check_loader(_section(sections, OWN_CHECKS, what), limits, what)
    labels_raw = _section(sections, LABELS, what)
    program = SolveProgram(
        head.name, head.params, fields, n_wires, head.n_public, n_constraints,
        head.shared_fields, shared, shared_checks, own, own_checks,
        _label_loader(labels_raw, n_constraints, what),
    )  # fmt: skip
    return program, head.bound_key


@dataclass(frozen=True)
class ProgramHeader:
    """A ``.solve`` header, checked: counts consistent and below 2^32."""

    name: str
    params: dict[str, int]
    fields: list[InputField]
    n_wires: int
    n_public: int
    n_inputs: int
    n_constraints: int
    shared_fields: tuple[str, ...]
    hint_names: list[str]
    bound_key: bytes


def program_header(header: dict[str, Any], what: str) -> ProgramHeader:
    """Return the checked header of a ``.solve`` file from its JSON object.

    Raises:
        FormatError: a field is missing or malformed, or the wire counts are inconsistent.
    """
    try:
        fields = [InputField(str(n), bool(p), None if s is None else int(s))
                  for n, p, s in header["fields"]]  # fmt: skip
        n_wires, n_public = int(header["n_wires"]), int(header["n_public"])
        n_constraints = int(header["n_constraints"])
        shared_fields = tuple(str(name) for name in header["shared_fields"])
        hint_names = [str(name) for name in header["hints"]]
        params = {str(k): int(v) for k, v in dict(header["params"]).items()}
        name, bound_key = str(header["name"]), bytes.fromhex(header["bound_key"])
    except (KeyError, TypeError, ValueError) as error:
        raise FormatError(f"{what}: malformed header ({error})") from None
    # An empty array is legitimate (a MarginCircuit feature the mask leaves out); a
    # negative length is not.
    if any(f.size is not None and f.size < 0 for f in fields):
        raise FormatError(f"{what}: an input field has a negative length")
    n_inputs = sum(1 if f.size is None else f.size for f in fields)
    publics = sum(1 if f.size is None else f.size for f in fields if f.public)
    if not publics == n_public <= n_inputs < n_wires < 2**32 or not 0 <= n_constraints < 2**32:
        raise FormatError(f"{what}: inconsistent wire counts in the header")
    return ProgramHeader(name, params, fields, n_wires, n_public, n_inputs, n_constraints,
                         shared_fields, hint_names, bound_key)  # fmt: skip


def _section(sections: dict[int, list[bytes]], kind: int, what: str) -> bytes:
    body = unique_section(sections, kind, what)
    assert body is not None
    return body


def _pool(body: bytes, what: str) -> list[int]:
    if len(body) % 32:
        raise FormatError(f"{what}: coefficient pool is not a whole number of 32-byte values")
    pool = [int.from_bytes(body[i : i + 32], "little") for i in range(0, len(body), 32)]
    if any(k >= SCALAR_FIELD_R for k in pool):
        raise FormatError(f"{what}: a coefficient is not in [0, r)")
    return pool


class _Limits:
    def __init__(
        self, n_wires: int, n_inputs: int, n_constraints: int, pool: list[int],
        hint_names: list[str], hints: list[Any],
    ) -> None:  # fmt: skip
        self.n_wires, self.n_inputs, self.n_constraints = n_wires, n_inputs, n_constraints
        self.pool, self.hint_names, self.hints = pool, hint_names, hints


def _decode_lcs(cursor: _Cursor, limits: _Limits) -> list[TermTuple]:
    n_lcs, n_terms = cursor.one(), cursor.one()
    offsets = cursor.take(n_lcs + 1)
    wires = cursor.take(n_terms)
    coeff_ids = cursor.take(n_terms)
    if offsets[0] != 0 or offsets[-1] != n_terms:
        raise FormatError(f"{cursor.what}: linear-combination offsets do not span the terms")
    if not all(map(operator.le, offsets, offsets[1:])):
        raise FormatError(f"{cursor.what}: linear-combination offsets decrease")
    if n_terms and (max(wires) >= limits.n_wires or max(coeff_ids) >= len(limits.pool)):
        raise FormatError(f"{cursor.what}: a term names a wire or coefficient out of range")
    coeffs = [limits.pool[i] for i in coeff_ids]
    return [
        tuple(zip(wires[offsets[i] : offsets[i + 1]], coeffs[offsets[i] : offsets[i + 1]],
                  strict=True))
        for i in range(n_lcs)
    ]  # fmt: skip


def _decode_steps(body: bytes, limits: _Limits, what: str) -> list[Step]:
    cursor = _Cursor(_words(body, what), what)
    lcs = _decode_lcs(cursor, limits)
    words, n_lcs, lo, hi = cursor.words, len(lcs), limits.n_inputs, limits.n_wires
    pos, end = cursor.pos, len(cursor.words)
    steps: list[Step] = []
    try:
        n_steps = words[pos]
        pos += 1
        for _ in range(n_steps):
            kind = words[pos]
            if kind in (_MUL, _QUOTIENT):
                out, a, b = words[pos + 1], words[pos + 2], words[pos + 3]
                pos += 4
                if not lo < out < hi or a >= n_lcs or b >= n_lcs:
                    raise FormatError(f"{what}: a step's wire or combination is out of range")
                make = MulStep if kind == _MUL else QuotientStep
                steps.append(make(out, lcs[a], lcs[b]))
            elif kind == _HINT:
                hint, n_in = words[pos + 1], words[pos + 2]
                ins = words[pos + 3 : pos + 3 + n_in]
                pos += 3 + n_in
                n_out = words[pos]
                outs = words[pos + 1 : pos + 1 + n_out]
                pos += 1 + n_out
                if pos > end or hint >= len(limits.hints):
                    raise FormatError(f"{what}: a hint step is truncated or names no hint")
                if any(i >= n_lcs for i in ins) or not all(lo < w < hi for w in outs):
                    raise FormatError(f"{what}: a hint's wire or combination is out of range")
                inputs = tuple(lcs[i] for i in ins)
                steps.append(HintStep(limits.hint_names[hint], limits.hints[hint], inputs,
                                      tuple(outs)))  # fmt: skip
            else:
                raise FormatError(f"{what}: unknown step kind {kind}")
    except IndexError:
        raise FormatError(f"{what} is truncated") from None
    if pos != end:
        raise FormatError(f"{what}: {end - pos} unexpected words")
    return steps


def _check_loader(body: bytes, limits: _Limits, what: str) -> Callable[[], Sequence[Check]]:
    @lru_cache(maxsize=1)
    def load() -> Sequence[Check]:
        return _decode_checks(body, limits, f"{what} checks")

    return load


def _decode_checks(body: bytes, limits: _Limits, what: str) -> list[Check]:
    cursor = _Cursor(_words(body, what), what)
    lcs = _decode_lcs(cursor, limits)
    words, n_lcs = cursor.words, len(lcs)
    n_checks = cursor.one()
    if cursor.pos + 4 * n_checks != len(words):
        raise FormatError(f"{what}: {n_checks} checks do not fill the section")
    items = words[cursor.pos :]
    if n_checks and max(items[0::4]) >= limits.n_constraints:
        raise FormatError(f"{what}: a check names a row out of range")
    if n_checks and max(max(items[k::4]) for k in (1, 2, 3)) >= n_lcs:
        raise FormatError(f"{what}: a check names a linear combination out of range")
    it = iter(items)
    return [Check(row, lcs[a], lcs[b], lcs[c]) for row, a, b, c in zip(it, it, it, it, strict=True)]


def _outputs(body: bytes, limits: _Limits, what: str) -> list[int]:
    outputs = _words(body, f"{what} shared outputs").tolist()
    if outputs and not limits.n_inputs < min(outputs) <= max(outputs) < limits.n_wires:
        raise FormatError(f"{what}: a shared output is outside the internal wires")
    return outputs


def _not_runnable(inputs: Sequence[int], n_outputs: int) -> list[int]:
    raise CircuitError("the shared segment was not loaded; its values come from a cache")


def _label_loader(raw: bytes, n_constraints: int, what: str) -> Callable[[], Sequence[str]]:
    @lru_cache(maxsize=1)
    def load() -> Sequence[str]:
        inflater = zlib.decompressobj()
        try:
            # Bounded: a corrupt or hostile file cannot inflate into gigabytes.
            text = inflater.decompress(raw, _MAX_LABEL_BYTES * (n_constraints + 1)).decode("utf-8")
        except (zlib.error, UnicodeDecodeError) as error:
            raise FormatError(f"{what}: labels are not compressed UTF-8 ({error})") from None
        labels = text.split("\n") if text or n_constraints else []
        if len(labels) != n_constraints:
            raise FormatError(f"{what}: {len(labels)} labels for {n_constraints} rows")
        return labels

    return load
