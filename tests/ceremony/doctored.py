"""The ceremony doctored-file tables (issue 19): each case, zkm's verdict and snarkjs 0.7.6's.

Every case writes one file derived from an honest ceremony (power 4 for phase 1, the tiny
circuit for phase 2; the power-2 poisoned ceremony of :func:`tests.ceremony.conftest.build_poisoned`
for the poisoning rows). ``honest`` marks files an honest run produces; zkm must refuse
every other one. ``python -m tests.ceremony.doctored`` prints the table for the docs.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from algebra.backend import Backend
from algebra.errors import ZkError
from prover.ceremony.keys import beacon_rng
from prover.ceremony.params import Beacon
from prover.ceremony.phase1 import contribute
from prover.ceremony.phase2 import contribute_zkey
from prover.ceremony.ptau_file import Phase1Contribution
from prover.ceremony.verify_phase1 import verify_ptau
from prover.ceremony.verify_phase2 import verify_zkey
from prover.ceremony.zkey_file import MpcParams
from tests.ceremony import tamper
from tests.ceremony.conftest import Ceremony, Poisoned, run_snarkjs
from tests.ceremony.poison import poison_ptau

GROUND = Beacon(bytes.fromhex("00ff00ff"), 0)
SNARKJS_TIMEOUT = 20.0


@dataclass(frozen=True)
class Sources:
    """The honest ceremonies every case starts from."""

    zkm: Ceremony
    snarkjs: Ceremony
    poisoned: Poisoned


@dataclass(frozen=True)
class Files:
    """What a verifier is given: a ``.ptau`` (plus earlier output files) or r1cs, ptau, zkey."""

    ptau: Path
    zkey: Path | None = None
    r1cs: Path | None = None
    earlier: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Case:
    """One row: how to make the file, whether it is honest, what snarkjs 0.7.6 says."""

    label: str
    honest: bool
    snarkjs: str
    build: Callable[[Sources, Path, Backend], Files]
    unchecked_note: bool = False
    """zkm cannot see this without the contributors' output files, and says so in a note."""


def _records(
    edit: Callable[[list[Phase1Contribution]], list[Phase1Contribution]],
) -> Callable[[Sources, Path, Backend], Files]:
    def build(s: Sources, out: Path, backend: Backend) -> Files:
        tamper.edit_ptau_records(s.zkm.ptaus[4], out / "doctored.ptau", backend, edit)
        return Files(out / "doctored.ptau")

    return build


def _params(edit: Callable[[MpcParams], MpcParams]) -> Callable[[Sources, Path, Backend], Files]:
    def build(s: Sources, out: Path, backend: Backend) -> Files:
        tamper.edit_zkey_params(s.zkm.zkeys[4], out / "doctored.zkey", backend, edit)
        return Files(s.zkm.final_ptau, out / "doctored.zkey", s.zkm.r1cs)

    return build


def _ptau(
    edit: Callable[[Path, Path], None], base: Callable[[Sources], Path] | None = None
) -> Callable[[Sources, Path, Backend], Files]:
    def build(s: Sources, out: Path, backend: Backend) -> Files:
        edit((base or (lambda x: x.zkm.final_ptau))(s), out / "doctored.ptau")
        return Files(out / "doctored.ptau")

    return build


def _zkey(edit: Callable[[Path, Path], None]) -> Callable[[Sources, Path, Backend], Files]:
    def build(s: Sources, out: Path, backend: Backend) -> Files:
        edit(s.zkm.zkeys[-1], out / "doctored.zkey")
        return Files(s.zkm.final_ptau, out / "doctored.zkey", s.zkm.r1cs)

    return build


def _swap(records: list[Phase1Contribution]) -> list[Phase1Contribution]:
    return [records[1], records[0], *records[2:]]


def _forge_challenge(records: list[Phase1Contribution]) -> list[Phase1Contribution]:
    forged = bytes(b ^ 1 for b in records[1].next_challenge)
    return [records[0], dataclasses.replace(records[1], next_challenge=forged), *records[2:]]


def _partial(start: int) -> Callable[[list[Phase1Contribution]], list[Phase1Contribution]]:
    """Flip one byte of contribution #1's hash state at ``start`` (its published hash changes)."""

    def edit(records: list[Phase1Contribution]) -> list[Phase1Contribution]:
        state = bytearray(records[0].partial_hash)
        state[start] ^= 1
        return [dataclasses.replace(records[0], partial_hash=bytes(state)), *records[1:]]

    return edit


def _exp(value: int) -> Callable[[list[Phase1Contribution]], list[Phase1Contribution]]:
    def edit(records: list[Phase1Contribution]) -> list[Phase1Contribution]:
        assert records[-1].beacon is not None
        beacon = dataclasses.replace(records[-1].beacon, iterations_exp=value)
        return [*records[:-1], dataclasses.replace(records[-1], beacon=beacon)]

    return edit


def _zkey_exp(value: int) -> Callable[[MpcParams], MpcParams]:
    def edit(params: MpcParams) -> MpcParams:
        last = params.contributions[-1]
        assert last.beacon is not None
        beacon = dataclasses.replace(last.beacon, iterations_exp=value)
        records = [*params.contributions[:-1], dataclasses.replace(last, beacon=beacon)]
        return MpcParams(params.circuit_hash, records)

    return edit


def _forge_transcript(params: MpcParams) -> MpcParams:
    first = params.contributions[0]
    forged = dataclasses.replace(first, transcript=bytes(b ^ 1 for b in first.transcript))
    return MpcParams(params.circuit_hash, [forged, *params.contributions[1:]])


def _ground_ptau(s: Sources, out: Path, backend: Backend) -> Files:
    target = out / "doctored.ptau"
    rng = beacon_rng(GROUND)
    contribute(s.zkm.ptaus[3], target, name="b", rng=rng, backend=backend, beacon=GROUND)
    return Files(target)


def _ground_zkey(s: Sources, out: Path, backend: Backend) -> Files:
    target = out / "doctored.zkey"
    rng = beacon_rng(GROUND)
    contribute_zkey(s.zkm.zkeys[3], target, name="b", rng=rng, backend=backend, beacon=GROUND)
    return Files(s.zkm.final_ptau, target, s.zkm.r1cs)


def _poisoned_ptau(s: Sources, out: Path, backend: Backend) -> Files:
    return Files(s.poisoned.poisoned_ptau)


def _poisoned_key(s: Sources, out: Path, backend: Backend) -> Files:
    return Files(s.poisoned.poisoned_ptau, s.poisoned.zkey, s.poisoned.r1cs)


def _poisoned_power4(s: Sources, out: Path, backend: Backend) -> Files:
    poison_ptau(s.zkm.final_ptau, out / "doctored.ptau", backend, 0)
    return Files(out / "doctored.ptau")


def _earlier(
    build: Callable[[Sources, Path, Backend], Files],
) -> Callable[[Sources, Path, Backend], Files]:
    def with_files(s: Sources, out: Path, backend: Backend) -> Files:
        return dataclasses.replace(build(s, out, backend), earlier=tuple(s.zkm.ptaus[1:4]))

    return with_files


def _copy_point(kind: int, size: int, magic: bytes) -> Callable[[Path, Path], None]:
    return lambda src, dst: tamper.copy_point(src, dst, magic, kind, size)


PTAU_CASES = [
    Case("honest zkm ceremony, prepared", True, "accepts", lambda s, o, b: Files(s.zkm.final_ptau)),
    Case(
        "honest snarkjs ceremony, prepared",
        True,
        "accepts",
        lambda s, o, b: Files(s.snarkjs.final_ptau),
    ),
    Case(
        "honest, with every contributor's output file",
        True,
        "accepts",
        lambda s, o, b: Files(s.zkm.ptaus[4], earlier=tuple(s.zkm.ptaus[1:4])),
    ),
    Case("poisoned top τG1 Lagrange slot (power 2)", False, "accepts", _poisoned_ptau),
    Case("poisoned top τG1 Lagrange slot (power 4)", False, "accepts", _poisoned_power4),
    Case(
        "bytes after the last section",
        False,
        "accepts",
        _ptau(lambda a, b: tamper.append_bytes(a, b, bytes(32))),
    ),
    Case(
        "unknown section id 99",
        False,
        "accepts",
        _ptau(lambda a, b: tamper.add_section(a, b, b"ptau", 99, bytes(8))),
    ),
    Case(
        "section 7 twice",
        False,
        "accepts",
        _ptau(
            lambda a, b: tamper.add_section(a, b, b"ptau", 7, tamper.section_bytes(a, b"ptau", 7))
        ),
    ),
    Case(
        "truncated inside a section",
        False,
        "rejects",
        _ptau(lambda a, b: b.write_bytes(a.read_bytes()[:-100])),
    ),
    Case(
        "truncated before section 12 (section count kept)",
        False,
        "accepts",
        _ptau(lambda a, b: tamper.cut_before_section(a, b, 12)),
    ),
    Case("αTauG1 point replaced", False, "rejects", _ptau(_copy_point(4, 64, b"ptau"))),
    Case("Lagrange point replaced", False, "rejects", _ptau(_copy_point(12, 64, b"ptau"))),
    Case("#2's next challenge changed", False, "rejects", _records(_forge_challenge)),
    Case("#1 and #2 swapped", False, "rejects", _records(_swap)),
    Case("#1's hash state: byte counter changed", False, "accepts", _records(_partial(192))),
    Case(
        "#1's hash state: chaining word changed (+ output files)",
        False,
        "accepts",
        _earlier(_records(_partial(130))),
    ),
    Case(
        "#1's hash state: chaining word changed (final file only)",
        False,
        "accepts",
        _records(_partial(130)),
        unchecked_note=True,
    ),
    Case("beacon exponent 0 (key derived with it)", False, "accepts", _ground_ptau),
    Case("beacon exponent 255", False, "hangs", _records(_exp(255))),
    Case(
        "blank accumulator (no contribution)",
        False,
        "rejects",
        lambda s, o, b: Files(s.zkm.ptaus[0]),
    ),
]

ZKEY_CASES = [
    Case(
        "honest zkm ceremony",
        True,
        "accepts",
        lambda s, o, b: Files(s.zkm.final_ptau, s.zkm.zkeys[-1], s.zkm.r1cs),
    ),
    Case(
        "honest snarkjs ceremony",
        True,
        "accepts",
        lambda s, o, b: Files(s.snarkjs.final_ptau, s.snarkjs.zkeys[-1], s.snarkjs.r1cs),
    ),
    Case(
        "no phase-2 contribution (γ = δ = G2)",
        False,
        "accepts",
        lambda s, o, b: Files(s.zkm.final_ptau, s.zkm.zkeys[0], s.zkm.r1cs),
    ),
    Case("key made from a poisoned ptau (checked against it)", False, "accepts", _poisoned_key),
    Case(
        "bytes after the last section",
        False,
        "accepts",
        _zkey(lambda a, b: tamper.append_bytes(a, b, bytes(32))),
    ),
    Case(
        "unknown section id 99",
        False,
        "accepts",
        _zkey(lambda a, b: tamper.add_section(a, b, b"zkey", 99, bytes(8))),
    ),
    Case(
        "section 10 twice",
        False,
        "rejects",
        _zkey(
            lambda a, b: tamper.add_section(a, b, b"zkey", 10, tamper.section_bytes(a, b"zkey", 10))
        ),
    ),
    Case(
        "truncated inside a section",
        False,
        "rejects",
        _zkey(lambda a, b: b.write_bytes(a.read_bytes()[:-100])),
    ),
    Case("H point replaced", False, "rejects", _zkey(_copy_point(9, 64, b"zkey"))),
    Case("L point replaced", False, "rejects", _zkey(_copy_point(8, 64, b"zkey"))),
    Case("#1's transcript hash changed", False, "rejects", _params(_forge_transcript)),
    Case("beacon exponent 0 (key derived with it)", False, "accepts", _ground_zkey),
    Case("beacon exponent 255", False, "hangs", _params(_zkey_exp(255))),
]


def zkm_verdict(files: Files, backend: Backend) -> tuple[str, list[str]]:
    """Return zkm's verdict — ``accepts``, ``rejects`` (exit 1) or ``malformed`` (exit 2) —
    and the notes it printed."""
    try:
        if files.zkey is None:
            verdict = verify_ptau(files.ptau, backend=backend, earlier=files.earlier)
        else:
            assert files.r1cs is not None
            verdict = verify_zkey(files.r1cs, files.ptau, files.zkey, backend=backend)
    except ZkError:
        return "malformed", []
    return ("accepts" if verdict.ok else "rejects"), verdict.notes


def snarkjs_verdict(files: Files, timeout: float = SNARKJS_TIMEOUT) -> str:
    """Return snarkjs 0.7.6's verdict: ``accepts``, ``rejects`` or ``hangs`` (timed out)."""
    if files.zkey is None:
        args: tuple[str | Path, ...] = ("powersoftau", "verify", files.ptau)
        ok = "Powers of Tau Ok!"
    else:
        assert files.r1cs is not None
        args, ok = ("zkey", "verify", files.r1cs, files.ptau, files.zkey), "ZKey Ok!"
    try:
        done = run_snarkjs(*args, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "hangs"
    return "accepts" if done.returncode == 0 and ok in done.stdout else "rejects"


def _main() -> None:
    import tempfile

    from algebra.backend import get_backend
    from tests.ceremony.conftest import (
        build_poisoned,
        build_snarkjs_ceremony,
        build_zkm_ceremony,
    )

    backend = get_backend("native")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("zkm", "snarkjs", "poisoned"):
            (root / name).mkdir()
        sources = Sources(
            build_zkm_ceremony(root / "zkm", backend),
            build_snarkjs_ceremony(root / "snarkjs"),
            build_poisoned(root / "poisoned", backend),
        )
        for title, cases in (("phase 1 (.ptau)", PTAU_CASES), ("phase 2 (.zkey)", ZKEY_CASES)):
            print(f"\n| {title} | honest | zkm 0.x | snarkjs 0.7.6 |\n|---|---|---|---|")
            for index, case in enumerate(cases):
                out = root / f"{title[6]}_{index}"
                out.mkdir()
                files = case.build(sources, out, backend)
                zkm, snarkjs = zkm_verdict(files, backend)[0], snarkjs_verdict(files)
                zkm += " (with a note)" if case.unchecked_note else ""
                honest = "yes" if case.honest else "no"
                print(f"| {case.label} | {honest} | {zkm} | {snarkjs} |", flush=True)


if __name__ == "__main__":
    _main()
