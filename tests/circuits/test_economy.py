"""Economy: our gadgets cost no more constraints than circomlib's equivalents.

circomlib templates are compiled from tests/interop/node_modules with the pinned circom2
(``--O2``, circom's strongest simplification) by tiny fixtures that only ``include`` them.
The pinned numbers here are the rows of the table in docs/circuits.md.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from circuits.frontend import API, Circuit, Variable, compile, secret
from circuits.std.bits import to_binary_strict
from circuits.std.comparators import is_less
from circuits.std.poseidon import poseidon_hash
from tests.conftest import INTEROP_DIR, npm_tool

Gadget = Callable[[API, Variable, Variable], object]

OURS: dict[str, tuple[Gadget, int]] = {
    "Num2Bits(64)": (lambda api, a, b: api.to_binary(a, 64), 64),
    "Num2Bits_strict()": (lambda api, a, b: to_binary_strict(api, a), 353),
    "LessThan(64)": (lambda api, a, b: is_less(api, a, b, 64), 65),
    "LessThan(252)": (lambda api, a, b: is_less(api, a, b, 252), 253),
    "IsZero()": (lambda api, a, b: api.is_zero(a), 2),
    "IsEqual()": (lambda api, a, b: api.is_equal(a, b), 2),
    "Poseidon(2)": (lambda api, a, b: poseidon_hash(api, [a, b]), 240),
}

CIRCOMLIB_FILE = {
    "Num2Bits(64)": "bitify",
    "Num2Bits_strict()": "bitify",
    "LessThan(64)": "comparators",
    "LessThan(252)": "comparators",
    "IsZero()": "comparators",
    "IsEqual()": "comparators",
    "Poseidon(2)": "poseidon",
}

CIRCOMLIB_O2 = {
    "Num2Bits(64)": 64,
    "Num2Bits_strict()": 515,
    "LessThan(64)": 65,
    "LessThan(252)": 253,
    "IsZero()": 2,
    "IsEqual()": 2,
    "Poseidon(2)": 240,
}
"""Counts measured with circom2 0.2.23 --O2 on circomlib 2.0.5 (re-checked by the interop test)."""


def _our_count(gadget: Gadget) -> int:
    class Single(Circuit):
        a: Variable = secret()
        b: Variable = secret()

        def define(self, api: API) -> None:
            gadget(api, self.a, self.b)

    return compile(Single).n_constraints


@pytest.mark.parametrize("template", sorted(OURS))
def test_our_gadget_cost_is_pinned_and_no_larger_than_circomlib(template: str) -> None:
    gadget, pinned = OURS[template]
    assert _our_count(gadget) == pinned
    assert pinned <= CIRCOMLIB_O2[template]


def circomlib_count(template: str, file: str, workdir: Path) -> int:
    """Compile ``component main = template`` from circomlib with circom2 --O2; return its rows."""
    source = workdir / "main.circom"
    source.write_text(
        f'pragma circom 2.0.0;\ninclude "circomlib/circuits/{file}.circom";\n'
        f"component main = {template};\n"
    )
    library = str(INTEROP_DIR / "node_modules")
    result = subprocess.run(
        [
            str(npm_tool("circom2")),
            str(source),
            "--r1cs",
            "--O2",
            "-l",
            library,
            "-o",
            str(workdir),
        ],
        cwd=INTEROP_DIR,  # the WASI build of circom only sees paths under its working directory
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # circom's own summary; its --O2 .r1cs header counts inputs it optimised away
    counts = re.findall(r"(non-linear|linear) constraints: (\d+)", _plain(result.stdout))
    return sum(int(n) for _, n in counts)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.interop
@pytest.mark.parametrize("template", sorted(CIRCOMLIB_O2))
def test_circomlib_counts_match_the_table(template: str, tmp_path: Path) -> None:
    assert circomlib_count(template, CIRCOMLIB_FILE[template], tmp_path) == CIRCOMLIB_O2[template]
