"""``margin.solve`` beside the keys and the per-snapshot caches, as ``zkm margin prove`` uses them:
made by setup, rebuilt for older, stale or corrupt key directories, never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from circuits.formats.solve_file import decode_header
from circuits.margin.loading import load_opening, load_snapshot
from zkmargin.cli import main
from zkmargin.margin.artefact import SOLVE_NAME, write_solve_program, zkey_digest
from zkmargin.margin.workflow import prove_margin, verify_margin


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny sample with two compliant openings and dev keys made by ``zkm margin setup``."""
    root = tmp_path_factory.mktemp("artefact")
    assert main(["margin", "sample", "--out", str(root), "--size", "tiny", "--accounts", "1"]) == 0
    state = root / "accounts" / "account-000.json"
    for k in (0, 1):
        assert main(["margin", "commit", str(state), "--out", str(root / f"opening{k}.json")]) == 0
    assert main(["margin", "setup", "--size", "tiny", "--out", str(root / "keys"), "--dev"]) == 0
    return root


@pytest.fixture
def keys(made: Path, tmp_path: Path) -> Path:
    """A private copy of the key directory (tests change its files)."""
    return Path(shutil.copytree(made / "keys", tmp_path / "keys"))


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZKM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _prove(made: Path, keys: Path, k: int = 0) -> tuple[bool, list[str]]:
    snapshot = load_snapshot(made / "snapshot.json")
    opening = load_opening(made / f"opening{k}.json", snapshot)
    notices: list[str] = []
    proof, public = prove_margin(opening, snapshot, keys, 0, 1_000_000, notice=notices.append)
    return verify_margin(proof, public, snapshot, keys, opening.commitment).valid, notices


def test_setup_writes_the_solve_program_bound_to_the_zkey(made: Path) -> None:
    keys = made / "keys"
    header = decode_header((keys / SOLVE_NAME).read_bytes())
    assert bytes.fromhex(header["bound_key"]) == zkey_digest(keys / "margin.zkey")
    meta = json.loads((keys / "margin.json").read_text())
    assert meta["solve_program_bytes"] == (keys / SOLVE_NAME).stat().st_size
    assert header["n_constraints"] == meta["n_constraints"]


def test_prove_with_the_stored_program_does_not_rebuild(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    before = (keys / SOLVE_NAME).read_bytes()
    assert _prove(made, keys) == (True, [])
    assert _prove(made, keys) == (True, [])  # now from the cached shared wires
    assert (keys / SOLVE_NAME).read_bytes() == before


def test_prove_never_compiles_the_circuit_when_the_program_is_stored(
    made: Path, keys: Path, fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_compile(*args: object) -> None:
        raise AssertionError("prove compiled the circuit")

    monkeypatch.setattr("zkmargin.margin.workflow.compiled_margin", no_compile)
    assert _prove(made, keys) == (True, [])  # cold: shared wires computed, then cached
    assert _prove(made, keys) == (True, [])  # warm


def test_key_directory_made_before_the_artefact_builds_and_caches_it(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    (keys / SOLVE_NAME).unlink()
    valid, notices = _prove(made, keys)
    assert valid and len(notices) == 1 and "cannot read" in notices[0]
    assert (keys / SOLVE_NAME).read_bytes() == (made / "keys" / SOLVE_NAME).read_bytes()
    assert _prove(made, keys) == (True, [])


def test_program_bound_to_another_key_is_rebuilt(made: Path, keys: Path, fresh_cache: Path) -> None:
    from circuits.formats.solve_file import decode_solve_program

    program, _ = decode_solve_program((keys / SOLVE_NAME).read_bytes())
    write_solve_program(program, keys / SOLVE_NAME, bytes(32))
    valid, notices = _prove(made, keys)
    assert valid and "another proving key" in notices[0]
    header = decode_header((keys / SOLVE_NAME).read_bytes())
    assert bytes.fromhex(header["bound_key"]) == zkey_digest(keys / "margin.zkey")


def test_program_claiming_other_wire_counts_is_rebuilt_before_allocating(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    from circuits.formats.solve_file import decode_solve_program

    program, _ = decode_solve_program((keys / SOLVE_NAME).read_bytes())
    program.n_wires = 2**32 - 1  # a witness of this length would need 32 GiB
    write_solve_program(program, keys / SOLVE_NAME, zkey_digest(keys / "margin.zkey"))
    valid, notices = _prove(made, keys)
    assert valid and "wires" in notices[0]


def test_corrupt_program_is_rebuilt(made: Path, keys: Path, fresh_cache: Path) -> None:
    data = bytearray((keys / SOLVE_NAME).read_bytes())
    data[len(data) // 2 :] = bytes(len(data) - len(data) // 2)
    (keys / SOLVE_NAME).write_bytes(bytes(data))
    valid, notices = _prove(made, keys)
    assert valid and len(notices) == 1


def test_tampered_shared_wires_entry_is_recomputed(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    assert _prove(made, keys)[0]
    (entry,) = (fresh_cache / "shared-wires").glob("*.bin")
    data = bytearray(entry.read_bytes())
    data[0:32] = (12345).to_bytes(32, "little")
    entry.write_bytes(bytes(data))
    assert _prove(made, keys)[0]
    assert entry.read_bytes() != bytes(data)  # dropped and written again from scratch


def test_shared_wire_sums_are_cached_from_the_second_proof(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    """A snapshot's first proof on a machine runs the whole MSMs (nothing extra for a trader
    who proves once); the second stores the shared wires' four MSM terms; later ones use them."""
    assert _prove(made, keys, 0)[0]
    assert not list((fresh_cache / "shared-sums").glob("*.bin"))
    assert _prove(made, keys, 1)[0]
    (entry,) = (fresh_cache / "shared-sums").glob("*.bin")
    stored = entry.read_bytes()
    assert len(stored) == 320
    assert _prove(made, keys, 0)[0]
    assert entry.read_bytes() == stored


@pytest.mark.parametrize("tamper", ["swap", "garbage", "short"])
def test_tampered_shared_sums_entry_never_yields_a_bad_proof(
    made: Path, keys: Path, fresh_cache: Path, tamper: str
) -> None:
    assert _prove(made, keys, 0)[0] and _prove(made, keys, 1)[0]
    (entry,) = (fresh_cache / "shared-sums").glob("*.bin")
    stored = entry.read_bytes()
    bad = {
        "swap": stored[256:320] + stored[64:256] + stored[0:64],  # valid points, wrong places
        "garbage": b"\xff" * 320,
        "short": stored[:-1],
    }[tamper]
    entry.write_bytes(bad)
    assert _prove(made, keys, 0)[0]
    assert not entry.exists() or entry.read_bytes() != bad
    assert _prove(made, keys, 1)[0]


def test_preloaded_key_is_the_key_the_proof_uses(made: Path, keys: Path, fresh_cache: Path) -> None:
    """The CLI's early load gives the same key; one for another path is not used."""
    from zkmargin.margin.preload import MARGIN_ZKEY_NAME, KeyPreload

    snapshot = load_snapshot(made / "snapshot.json")
    opening = load_opening(made / "opening0.json", snapshot)
    preload = KeyPreload(keys / MARGIN_ZKEY_NAME)
    proof, public = prove_margin(opening, snapshot, keys, 0, 1_000_000, preload=preload)
    assert verify_margin(proof, public, snapshot, keys, opening.commitment).valid
    other = keys.parent / "other-keys"  # another setup of the same circuit: another δ
    assert main(["margin", "setup", "--size", "tiny", "--out", str(other), "--dev"]) == 0
    elsewhere = KeyPreload(other / MARGIN_ZKEY_NAME)
    proof, public = prove_margin(opening, snapshot, keys, 0, 1_000_000, preload=elsewhere)
    assert verify_margin(proof, public, snapshot, keys, opening.commitment).valid
    assert not verify_margin(proof, public, snapshot, other, opening.commitment).valid


def test_background_returns_or_reraises_on_the_callers_thread() -> None:
    from zkmargin.margin.preload import Background

    assert Background(sum, [1, 2, 3]).result() == 6
    assert Background(dict.get, {}, "missing").result() is None  # None is a value too
    with pytest.raises(ZeroDivisionError):
        Background(divmod, 1, 0).result()


def test_background_block_left_by_an_error_waits_for_the_thread() -> None:
    import threading

    from zkmargin.margin.preload import Background

    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def load() -> int:
        started.set()
        release.wait(10)
        finished.set()
        return 1

    timer = threading.Timer(0.3, release.set)
    timer.start()
    with pytest.raises(ValueError), Background(load):
        assert started.wait(10)
        raise ValueError("bad input found while the key loads")
    assert finished.is_set()  # not left running into interpreter shutdown
    timer.join()
    with Background(sum, [1, 2]) as job:  # no error: the block ends in result() as usual
        assert job.result() == 3


def test_cli_prove_with_an_unreadable_zkey_exits_2_in_one_line(
    made: Path, keys: Path, fresh_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The early load's error is the command's one-line error, not a thread's traceback."""
    (keys / "margin.zkey").write_bytes(b"not a zkey")
    argv = ["margin", "prove", str(made / "opening0.json"), str(made / "snapshot.json"),
            "--keys", str(keys), "--out", str(keys.parent / "proof")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "not a zkey file" in err and "Traceback" not in err and "Exception in" not in err


def test_zkey_digest_is_hashed_once_while_the_file_is_unchanged(
    made: Path, keys: Path, fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zkmargin.margin import artefact

    hashed: list[Path] = []

    def counting(path: Path) -> bytes:
        hashed.append(path)
        return zkey_digest(path)

    monkeypatch.setattr(artefact, "zkey_digest", counting)
    assert _prove(made, keys) == (True, [])
    assert _prove(made, keys) == (True, [])
    assert len(hashed) == 1
    zkey = keys / "margin.zkey"
    os.utime(zkey, ns=(zkey.stat().st_atime_ns, zkey.stat().st_mtime_ns + 1))  # touched
    assert _prove(made, keys) == (True, [])
    assert len(hashed) == 2


def test_tampered_zkey_digest_entry_is_never_used(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    assert _prove(made, keys)[0]
    (entry,) = (fresh_cache / "zkey-digest").glob("*.bin")
    true_digest = entry.read_bytes()
    assert true_digest == zkey_digest(keys / "margin.zkey")
    entry.write_bytes(bytes(range(32)))  # another key's digest: would rebind margin.solve
    solve_before = (keys / SOLVE_NAME).read_bytes()
    assert _prove(made, keys) == (True, [])  # no rebuild notice
    assert (keys / SOLVE_NAME).read_bytes() == solve_before
    assert entry.read_bytes() == true_digest


def test_tampered_snapshot_hashes_entry_is_recomputed(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    assert _prove(made, keys)[0]
    (entry,) = (fresh_cache / "snapshot-hashes").glob("*.bin")
    entry.write_bytes((7).to_bytes(32, "little") * 3)
    assert _prove(made, keys)[0]


def test_caches_hold_only_what_every_trader_of_the_snapshot_shares(
    made: Path, keys: Path, fresh_cache: Path
) -> None:
    assert _prove(made, keys, 0)[0]
    assert _prove(made, keys, 1)[0]  # another salt, another commitment: same entries
    assert len(list((fresh_cache / "shared-wires").glob("*.bin"))) == 1
    assert len(list((fresh_cache / "snapshot-hashes").glob("*.bin"))) == 1
    opening = json.loads((made / "opening0.json").read_text())
    salt = int(opening["salt"]).to_bytes(32, "little")
    for entry in fresh_cache.rglob("*.bin"):
        assert salt not in entry.read_bytes()


def test_read_only_key_directory_still_proves(made: Path, keys: Path, fresh_cache: Path) -> None:
    (keys / SOLVE_NAME).unlink()
    keys.chmod(0o555)
    try:
        valid, notices = _prove(made, keys)
    finally:
        keys.chmod(0o755)
    assert valid
    if not (keys / SOLVE_NAME).exists():  # root may write anyway
        assert "read-only" in notices[0]


def test_cli_prove_says_when_it_rebuilds(
    made: Path, keys: Path, fresh_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (keys / SOLVE_NAME).unlink()
    args = ["margin", "prove", str(made / "opening0.json"), str(made / "snapshot.json"),
            "--keys", str(keys), "--out", str(made / "proof")]  # fmt: skip
    assert main(args) == 0
    assert "rebuilt" in capsys.readouterr().err
    assert main(args) == 0
    assert "rebuilt" not in capsys.readouterr().err
