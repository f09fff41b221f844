"""The code in docs/circuits.md runs and costs what it says."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest

from algebra.errors import UnsatisfiedConstraintError
from circuits.frontend import API, Circuit, Variable, compile, secret
from circuits.testing import check_circuit
from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "circuits.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_first_circuit_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {}
    exec(_blocks()[0], namespace)  # the walkthrough in section 1
    compiled = namespace["compiled"]
    assert compiled.n_constraints == 3 * 64 + 72
    assert (tmp_path / "solvency.r1cs").exists() and (tmp_path / "solvency.wtns").exists()
    with pytest.raises(UnsatisfiedConstraintError, match="solvent"):
        compiled.solve({"threshold": 121, "balances": [40, 50, 30]})


def test_hint_example_is_sound_and_costs_what_it_says() -> None:
    namespace: dict[str, Any] = {}
    exec(_blocks()[1], namespace)
    isqrt = namespace["isqrt"]

    class Root(Circuit):
        x: Variable = secret()
        s: Variable = secret()

        def define(self, api: API) -> None:
            api.assert_is_equal(isqrt(api, self.x, 16), self.s)

    compiled = check_circuit(
        Root,
        valid=[{"x": x, "s": math.isqrt(x)} for x in (0, 1, 2, 3, 4, 99, 100, 65535)],
        invalid=[{"x": 99, "s": 10}, {"x": 100, "s": 9}],
    )
    assert compiled.n_constraints == 5 * 16 // 2 + 2 + 1
    assert compile(Root).n_constraints == compiled.n_constraints
