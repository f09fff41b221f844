"""Constraint counts of our Poseidon(n) and Merkle level beside circomlib's, compiled with circom2.

Run from the repository root: ``python -m bench.bench_poseidon_economy``. circomlib's templates are
``include``d from ``tests/interop/node_modules`` (never copied) and compiled with the pinned
circom2 at ``--O1`` (circom's default) and ``--O2``; the table is printed in Markdown.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from circuits.frontend import API, Circuit, Variable, compile, secret
from circuits.std.merkle import verify_merkle_path
from circuits.std.poseidon import poseidon_hash

INTEROP_DIR = Path(__file__).resolve().parent.parent / "tests" / "interop"

_POSEIDON_SOURCE = """pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";
component main = Poseidon({n});
"""

_LEVEL_SOURCE = """pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/switcher.circom";
template MerkleLevel() {
    signal input current;
    signal input sibling;
    signal input bit;
    signal output parent;
    bit * (bit - 1) === 0;
    component swap = Switcher();
    swap.sel <== bit;
    swap.L <== current;
    swap.R <== sibling;
    component hash = Poseidon(2);
    hash.inputs[0] <== swap.outL;
    hash.inputs[1] <== swap.outR;
    parent <== hash.out;
}
component main = MerkleLevel();
"""


def circom_constraints(source: str, level: str) -> int:
    """Return the total constraints (non-linear + linear) circom2 reports for ``source``."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "main.circom"
        path.write_text(source)
        # circom2 (WASI) resolves include paths relative to its working directory.
        done = subprocess.run(
            [
                "./node_modules/.bin/circom2",
                str(path),
                "--r1cs",
                f"--{level}",
                "-l",
                "node_modules",
                "-o",
                directory,
            ],
            cwd=INTEROP_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    counts = re.findall(r"(non-linear|linear) constraints: (\d+)", done.stdout)
    return sum(int(count) for _, count in counts)


def our_poseidon(n: int) -> int:
    """Return the rows of ``poseidon_hash`` on ``n`` secret inputs (output left unconstrained)."""

    class Hash(Circuit):
        xs: list[Variable] = secret(length="n")

        def define(self, api: API) -> None:
            poseidon_hash(api, self.xs)

    return compile(Hash, {"n": n}).n_constraints


def our_level() -> int:
    """Return the rows of one ``verify_merkle_path`` level on secret current/sibling/bit."""

    class Level(Circuit):
        current: Variable = secret()
        sibling: Variable = secret()
        bit: Variable = secret()

        def define(self, api: API) -> None:
            verify_merkle_path(api, self.current, [self.sibling], [self.bit])

    return compile(Level).n_constraints


def main() -> None:
    """Print the Markdown economy table."""
    print("| gadget | zkmargin | circomlib --O2 | circomlib --O1 (default) |")
    print("|---|---:|---:|---:|")
    for n in range(1, 17):
        source = _POSEIDON_SOURCE.format(n=n)
        o2, o1 = circom_constraints(source, "O2"), circom_constraints(source, "O1")
        print(f"| Poseidon({n + 1}) — {n} input(s) | {our_poseidon(n)} | {o2} | {o1} |")
    o2, o1 = circom_constraints(_LEVEL_SOURCE, "O2"), circom_constraints(_LEVEL_SOURCE, "O1")
    print(f"| Merkle level (boolean bit + Switcher + Poseidon(2)) | {our_level()} | {o2} | {o1} |")


if __name__ == "__main__":
    main()
