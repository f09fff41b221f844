"""``zkm zkey contribute`` refuses to launder keys, and takes its entropy off the command line.

The attack (issue 19, item 5): make a ``--dev`` key, delete zkmargin's metadata section,
contribute to it, and the result looked like a ceremony key. Now the input is refused by
its structure (γ₂ ≠ G2, a δ chain that does not start at G1) and, with ``--r1cs``/``--ptau``,
by verification against the ceremony.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from algebra.backend import Backend
from algebra.constants import G1_GENERATOR, G2_GENERATOR
from prover.ceremony import keys as ceremony_keys
from prover.ceremony.contribution_input import NotACeremonyKeyError, check_against_ceremony
from prover.ceremony.keys import entropy_rng
from prover.ceremony.phase1 import contribute
from prover.ceremony.phase2 import contribute_zkey
from prover.container import SectionFile, write_container
from prover.setup import setup_dev
from prover.zkey import METADATA_SECTION, read_zkey_summary, write_zkey
from tests.ceremony.conftest import Ceremony
from tests.ceremony.tamper import copy_point
from tests.prover.conftest import tiny_r1cs
from verifier.keys import VerifyingKey
from verifier.provenance import KeyProvenance
from zkmargin import cli
from zkmargin.cli import main


def _strip_metadata(source: Path, target: Path) -> None:
    with SectionFile(source, b"zkey", 2) as zkey:
        kept = [(k, [zkey.read(k)]) for k in sorted(zkey.sections) if k != METADATA_SECTION]
        assert len(kept) == len(zkey.sections) - 1
    write_container(target, b"zkey", 1, kept)


@pytest.fixture
def stripped_dev_key(zkm_ceremony: Ceremony, tmp_path: Path) -> Path:
    """A ``zkm groth16 setup --dev`` key of the ceremony's circuit, metadata section deleted."""
    dev, stripped = tmp_path / "dev.zkey", tmp_path / "stripped.zkey"
    assert main(["groth16", "setup", "--dev", str(zkm_ceremony.r1cs), str(dev)]) == 0
    _strip_metadata(dev, stripped)
    return stripped


@pytest.fixture
def disguised_dev_key(native: Backend, tmp_path: Path) -> Path:
    """A dev key rewritten to look like an initial phase-2 key: γ = δ = G2, δ₁ = G1, no metadata.

    Whoever made it knows τ, so it is forgeable; only the ceremony check can tell.
    """
    key = setup_dev(tiny_r1cs(), backend=native)
    vk = key.vk
    fake_vk = VerifyingKey(vk.alpha_g1, vk.beta_g2, G2_GENERATOR, G2_GENERATOR, vk.gamma_abc_g1)
    disguised = replace(key, vk=fake_vk, delta_g1=G1_GENERATOR, provenance=None, _prepared={})
    path = tmp_path / "disguised.zkey"
    write_zkey(disguised, path, backend=native)
    assert read_zkey_summary(path, backend=native).provenance is KeyProvenance.UNCONTRIBUTED
    return path


def _contribute(*args: str | Path) -> int:
    return main(["zkey", "contribute", *(str(a) for a in args), "-e=test entropy"])


def test_laundering_a_stripped_dev_key_is_refused(
    stripped_dev_key: Path,
    zkm_ceremony: Ceremony,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "laundered.zkey"
    assert _contribute(stripped_dev_key, out) == 2
    assert "UNSAFE dev-setup key" in capsys.readouterr().err
    assert not out.exists()
    ceremony = ["--r1cs", zkm_ceremony.r1cs, "--ptau", zkm_ceremony.final_ptau]
    assert _contribute(stripped_dev_key, out, *ceremony) == 2
    assert not out.exists()
    assert main(["zkey", "beacon", str(stripped_dev_key), str(out), "abcd", "10"]) == 2
    assert not out.exists()


def test_library_contribution_to_a_stripped_dev_key_is_refused(
    stripped_dev_key: Path, native: Backend, tmp_path: Path
) -> None:
    with pytest.raises(NotACeremonyKeyError, match="UNSAFE"):
        contribute_zkey(
            stripped_dev_key, tmp_path / "x.zkey", name=None, rng=entropy_rng(""), backend=native
        )


def test_disguised_dev_key_is_refused_only_by_the_ceremony_check(
    disguised_dev_key: Path,
    zkm_ceremony: Ceremony,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ceremony = ["--r1cs", zkm_ceremony.r1cs, "--ptau", zkm_ceremony.final_ptau]
    assert _contribute(disguised_dev_key, tmp_path / "a.zkey", *ceremony) == 2
    assert "does not verify against" in capsys.readouterr().err
    assert not (tmp_path / "a.zkey").exists()
    # Without the ceremony files the structure is all there is: accepted, with the warning.
    assert _contribute(disguised_dev_key, tmp_path / "b.zkey") == 0
    assert "not verified against the circuit and ceremony" in capsys.readouterr().err


@pytest.mark.parametrize("index", [0, 2, 4])
def test_contribute_with_r1cs_and_ptau_accepts_the_ceremony_keys(
    zkm_ceremony: Ceremony, tmp_path: Path, capsys: pytest.CaptureFixture[str], index: int
) -> None:
    ceremony = ["--r1cs", zkm_ceremony.r1cs, "--ptau", zkm_ceremony.final_ptau]
    assert _contribute(zkm_ceremony.zkeys[index], tmp_path / "next.zkey", *ceremony) == 0
    captured = capsys.readouterr()
    assert "input key verified" in captured.out and "not verified" not in captured.err


def test_contribute_with_r1cs_and_ptau_accepts_a_snarkjs_initial_key(
    snarkjs_ceremony: Ceremony, native: Backend
) -> None:
    for zkey in (snarkjs_ceremony.zkeys[0], snarkjs_ceremony.zkeys[2]):
        check_against_ceremony(
            zkey, snarkjs_ceremony.r1cs, snarkjs_ceremony.final_ptau, backend=native
        )


@pytest.mark.parametrize(("index", "section"), [(0, 9), (0, 8), (3, 8)])
def test_contribute_refuses_a_tampered_ceremony_key(
    zkm_ceremony: Ceremony, tmp_path: Path, index: int, section: int
) -> None:
    tampered = tmp_path / "tampered.zkey"
    copy_point(zkm_ceremony.zkeys[index], tampered, b"zkey", section, 64)
    ceremony = ["--r1cs", zkm_ceremony.r1cs, "--ptau", zkm_ceremony.final_ptau]
    assert _contribute(tampered, tmp_path / "next.zkey", *ceremony) == 2
    assert not (tmp_path / "next.zkey").exists()


def test_contribute_refuses_a_key_whose_delta_left_its_chain(
    zkm_ceremony: Ceremony, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = tmp_path / "delta.zkey"
    earlier = zkm_ceremony.zkeys[1]
    with (
        SectionFile(earlier, b"zkey", 2) as old,
        SectionFile(zkm_ceremony.zkeys[3], b"zkey", 2) as new,
    ):
        parts = [(k, [old.read(2) if k == 2 else new.read(k)]) for k in sorted(new.sections)]
    write_container(tampered, b"zkey", 1, parts)
    assert _contribute(tampered, tmp_path / "next.zkey") == 2
    assert "contribution chain" in capsys.readouterr().err


def test_contribute_needs_both_r1cs_and_ptau(zkm_ceremony: Ceremony, tmp_path: Path) -> None:
    only_r1cs = ["--r1cs", zkm_ceremony.r1cs]
    assert _contribute(zkm_ceremony.zkeys[0], tmp_path / "next.zkey", *only_r1cs) == 2


# --- entropy ---------------------------------------------------------------------------


@pytest.fixture
def seen_entropy(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Record the entropy each contribution's stream is seeded with."""
    seen: list[str | None] = []

    def recording(entropy: str | None) -> object:
        seen.append(entropy)
        return entropy_rng(entropy)

    monkeypatch.setattr(ceremony_keys, "entropy_rng", recording)
    return seen


def test_entropy_is_read_from_stdin_without_a_warning(
    zkm_ceremony: Ceremony, tmp_path: Path, seen_entropy: list[str | None]
) -> None:
    args = ["zkey", "contribute", str(zkm_ceremony.zkeys[-1]), str(tmp_path / "next.zkey")]
    result = CliRunner().invoke(cli.get_app(), args, input="rolled dice 3 5 2\n")
    assert result.exit_code == 0, result.output
    assert seen_entropy == ["rolled dice 3 5 2"]
    assert "visible to other users" not in result.stderr


def test_entropy_prompt_is_hidden_on_a_terminal(
    zkm_ceremony: Ceremony,
    tmp_path: Path,
    seen_entropy: list[str | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zkmargin.commands import ceremony as ceremony_cli

    terminal = SimpleNamespace(stdin=SimpleNamespace(isatty=lambda: True))
    monkeypatch.setattr(ceremony_cli, "sys", terminal)
    args = ["powersoftau", "contribute", str(zkm_ceremony.ptaus[0]), str(tmp_path / "p.ptau")]
    result = CliRunner().invoke(cli.get_app(), args, input="typed secret\n")
    assert result.exit_code == 0, result.output
    assert seen_entropy == ["typed secret"]
    assert "Enter a random text" in result.stderr
    assert "typed secret" not in result.output


def test_entropy_on_the_command_line_is_warned_about(
    zkm_ceremony: Ceremony, tmp_path: Path, seen_entropy: list[str | None]
) -> None:
    args = ["zkey", "contribute", str(zkm_ceremony.zkeys[-1]), str(tmp_path / "n.zkey"), "-e=abc"]
    result = CliRunner().invoke(cli.get_app(), args)
    assert result.exit_code == 0, result.output
    assert seen_entropy == ["abc"]
    assert "visible to other users (ps)" in result.stderr


def test_empty_stdin_falls_back_to_the_os_csprng_with_a_note(
    zkm_ceremony: Ceremony, tmp_path: Path, seen_entropy: list[str | None]
) -> None:
    args = ["zkey", "contribute", str(zkm_ceremony.zkeys[-1]), str(tmp_path / "next.zkey")]
    result = CliRunner().invoke(cli.get_app(), args, input="")
    assert result.exit_code == 0, result.output
    assert seen_entropy == [""]
    assert "OS CSPRNG alone" in result.stderr


def test_contributions_wipe_their_secret_stream(
    zkm_ceremony: Ceremony, native: Backend, tmp_path: Path
) -> None:
    phase2_rng = entropy_rng("x")
    contribute_zkey(
        zkm_ceremony.zkeys[-1], tmp_path / "n.zkey", name=None, rng=phase2_rng, backend=native
    )
    phase1_rng = entropy_rng("y")
    contribute(
        zkm_ceremony.ptaus[0], tmp_path / "p.ptau", name=None, rng=phase1_rng, backend=native
    )
    for rng in (phase2_rng, phase1_rng):
        assert rng._state == [] and rng._block == []
        with pytest.raises(RuntimeError, match="wiped"):
            rng.next_u32()
