"""``zkm margin …`` end to end on the tiny size: sample → commit → setup → prove → verify."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO_ROOT, npm_tool
from zkmargin.cli import fast_margin_prove_arguments, get_app, main


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with a tiny sample, two openings (compliant, not) and dev keys."""
    root = tmp_path_factory.mktemp("margin")
    assert main(["margin", "sample", "--out", str(root), "--size", "tiny", "--accounts", "2"]) == 0
    for k in (0, 1):
        state = root / "accounts" / f"account-00{k}.json"
        assert main(["margin", "commit", str(state), "--out", str(root / f"opening{k}.json")]) == 0
    assert main(["margin", "setup", "--size", "tiny", "--out", str(root / "keys"), "--dev"]) == 0
    return root


def _prove(flow: Path, k: int, out: str, *extra: str) -> int:
    return main(["margin", "prove", str(flow / f"opening{k}.json"), str(flow / "snapshot.json"),
                 "--keys", str(flow / "keys"), "--out", str(flow / out), *extra])  # fmt: skip


def _verify(flow: Path, proof: str, *extra: str) -> int:
    return main(["margin", "verify", str(flow / proof), str(flow / "snapshot.json"),
                 "--keys", str(flow / "keys"), *extra])  # fmt: skip


def test_sample_writes_snapshot_and_mixed_accounts(
    flow: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (flow / "snapshot.json").exists()
    verdicts = []
    for k in (0, 1):
        capsys.readouterr()
        args = ["margin", "report", str(flow / "accounts" / f"account-00{k}.json"),
                str(flow / "snapshot.json"), "--json"]  # fmt: skip
        assert main(args) == 0
        report = json.loads(capsys.readouterr().out)
        assert {"equity", "maintenance", "initial", "scenario"} <= set(report)
        verdicts.append((report["compliant_maintenance"], report["compliant_initial"]))
    assert verdicts == [(True, True), (False, False)]


def test_report_and_commit_never_print_positions_or_salt(
    flow: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opening = json.loads((flow / "opening0.json").read_text())
    capsys.readouterr()
    assert main(["margin", "report", str(flow / "opening0.json"), str(flow / "snapshot.json")]) == 0
    out = capsys.readouterr().out
    assert opening["salt"] not in out and "positions" not in out and "per_slot" not in out
    assert main(["margin", "commit", str(flow / "accounts" / "account-000.json"),
                 "--out", str(flow / "again.json")]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "commitment:" in out and "salt" not in out


def test_prove_then_verify_with_buffer_and_commitment(flow: Path) -> None:
    assert _prove(flow, 0, "proof0", "--kind", "initial", "--buffer", "1.25") == 0
    public = json.loads((flow / "proof0" / "public.json").read_text())
    assert public[2:] == ["1", "1250000"]
    assert _verify(flow, "proof0") == 0
    assert _verify(flow, "proof0", "--commitment", public[0]) == 0
    assert _verify(flow, "proof0", "--commitment", str(int(public[0]) + 1)) == 1


def test_non_compliant_account_exits_2_and_writes_no_proof(
    flow: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _prove(flow, 1, "proof1") == 2
    assert "does not meet the maintenance requirement" in capsys.readouterr().err
    assert not (flow / "proof1").exists()


def test_verify_rejects_a_tampered_statement(flow: Path) -> None:
    assert _prove(flow, 0, "proof2") == 0
    public_path = flow / "proof2" / "public.json"
    public = json.loads(public_path.read_text())
    public[3] = "1250000"  # claim a larger buffer than proven
    public_path.write_text(json.dumps(public))
    assert _verify(flow, "proof2") == 1
    public[1] = "5"  # another snapshot
    public_path.write_text(json.dumps(public))
    assert _verify(flow, "proof2") == 1


def test_plain_margin_prove_arguments_take_the_fast_path() -> None:
    plain = ["margin", "prove", "o.json", "s.json", "--keys", "k", "--out", "p"]
    assert fast_margin_prove_arguments(plain) == {
        "opening": Path("o.json"), "snapshot": Path("s.json"), "keys": Path("k"),
        "out": Path("p"), "kind": "maintenance", "buffer": "1", "terms": None,
    }  # fmt: skip
    mixed = ["margin", "prove", "--buffer=1.25", "o.json", "--kind", "initial", "s.json",
             "--terms", "t.json", "--out=p", "--keys", "k"]  # fmt: skip
    assert fast_margin_prove_arguments(mixed) == {
        "opening": Path("o.json"), "snapshot": Path("s.json"), "keys": Path("k"),
        "out": Path("p"), "kind": "initial", "buffer": "1.25", "terms": Path("t.json"),
    }  # fmt: skip
    for other in (
        [*plain, "--help"],  # help, an unknown option, a missing or repeated one: Typer's
        [*plain, "--reveal"],
        plain[:-2],
        [*plain, "--keys", "k2"],
        [*plain, "extra.json"],
        [*plain, "--buffer"],
        ["margin", "verify", *plain[2:]],
        ["margin", "prove", "--", *plain[2:]],
    ):
        assert fast_margin_prove_arguments(other) is None


def test_fast_path_knows_exactly_the_typer_commands_options() -> None:
    import typer.main

    from zkmargin.cli import MARGIN_PROVE_OPTIONS

    group = typer.main.get_command(get_app())
    prove = group.commands["margin"].commands["prove"]  # type: ignore[attr-defined]
    options = {opt for param in prove.params for opt in param.opts if opt.startswith("--")}
    assert options - {"--help"} == MARGIN_PROVE_OPTIONS
    positional = [param.name for param in prove.params if not param.opts[0].startswith("-")]
    assert positional == ["opening", "snapshot"]


def test_fast_path_and_typer_make_the_same_statement(flow: Path) -> None:
    options = ["--kind", "initial", "--buffer=1.25"]
    assert _prove(flow, 0, "fast", *options) == 0
    typer_run = CliRunner().invoke(get_app(), [
        "margin", "prove", str(flow / "opening0.json"), str(flow / "snapshot.json"),
        "--keys", str(flow / "keys"), "--out", str(flow / "typer"), *options])  # fmt: skip
    assert typer_run.exit_code == 0, typer_run.output
    assert "wrote" in typer_run.output
    fast_public = json.loads((flow / "fast" / "public.json").read_text())
    assert fast_public == json.loads((flow / "typer" / "public.json").read_text())
    assert fast_public[2:] == ["1", "1250000"]
    assert _verify(flow, "fast") == 0 and _verify(flow, "typer") == 0


def test_trader_prove_imports_neither_typer_nor_numpy(flow: Path) -> None:
    script = (
        "import sys\nfrom zkmargin.cli import main\n"
        f"code = main({['margin', 'prove', str(flow / 'opening0.json'), str(flow / 'snapshot.json'), '--keys', str(flow / 'keys'), '--out', str(flow / 'lean')]!r})\n"  # noqa: E501
        "print(code, sorted({'typer', 'numpy', 'rich', 'click'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"
    assert _verify(flow, "lean") == 0


@pytest.mark.parametrize("extra", [["--buffer", "0.5"], ["--kind", "tertiary"]])
def test_shell_prove_with_bad_options_exits_2_in_one_line(flow: Path, extra: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "zkmargin", "margin", "prove", str(flow / "opening0.json"),
         str(flow / "snapshot.json"), "--keys", str(flow / "keys"), "--out",
         str(flow / "refused"), *extra],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error:")
    assert not (flow / "refused").exists()


@pytest.mark.parametrize("args", [
    ["margin", "prove", "missing.json", "s.json", "--keys", "k", "--out", "o"],
    ["margin", "setup", "--size", "huge", "--out", "k", "--dev"],
    ["margin", "setup", "--size", "tiny", "--out", "k"],
    ["margin", "report", "missing.json", "s.json"],
])  # fmt: skip
def test_bad_input_exits_2(args: list[str], tmp_path: Path) -> None:
    assert main([a if "." not in a else str(tmp_path / a) for a in args]) == 2


def test_bad_buffer_and_kind_exit_2(flow: Path) -> None:
    assert _prove(flow, 0, "proof3", "--buffer", "0.9") == 2
    assert _prove(flow, 0, "proof3", "--kind", "tertiary") == 2
    assert not (flow / "proof3").exists()


@pytest.mark.interop
def test_margin_proof_verifies_in_snarkjs(flow: Path) -> None:
    snarkjs = npm_tool("snarkjs")
    vk_json = json.loads((flow / "keys" / "verification_key.json").read_text())
    assert vk_json["zkm_provenance"] == "dev"  # snarkjs must ignore zkmargin's own field
    assert _prove(flow, 0, "proof4", "--kind", "maintenance", "--buffer", "1.1") == 0
    done = subprocess.run(
        [str(snarkjs), "groth16", "verify", str(flow / "keys" / "verification_key.json"),
         str(flow / "proof4" / "public.json"), str(flow / "proof4" / "proof.json")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and "OK" in done.stdout, done.stdout + done.stderr
