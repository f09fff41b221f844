"""``zkm powersoftau …`` and ``zkm zkey contribute|beacon|verify``: trusted-setup ceremonies.

Same verbs and argument order as snarkjs; files are snarkjs-compatible. ``-e=…``/``-n=…``
(snarkjs's spelling) are accepted: a leading ``=`` is dropped from short options.

Entropy: without ``-e`` the contributors type it at a hidden prompt (or pipe it on stdin),
as snarkjs asks for it; ``-e`` on the command line still works but is warned about, since
it lands in ``ps`` and the shell history.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from algebra.backend import Backend
    from prover.ceremony.chacha import ChaCha
    from prover.ceremony.params import Beacon
    from prover.ceremony.progress import Progress
    from prover.ceremony.verdict import Verdict

powersoftau_app = typer.Typer(no_args_is_help=True)
prepare_app = typer.Typer(no_args_is_help=True, help="Prepare a ceremony for phase 2.")
powersoftau_app.add_typer(prepare_app, name="prepare")

InPath = Annotated[Path, typer.Argument(help="input file", show_default=False)]
OutPath = Annotated[Path, typer.Argument(help="output file", show_default=False)]
NameOption = Annotated[
    str | None, typer.Option("--name", "-n", help="contributor name (public)", show_default=False)
]
EntropyOption = Annotated[
    str | None,
    typer.Option(
        "--entropy",
        "-e",
        help="extra entropy, mixed with the OS CSPRNG's (visible in ps and shell history: "
        "omit it to be prompted, or pipe it on stdin)",
        show_default=False,
    ),
]
R1csOption = Annotated[
    Path | None,
    typer.Option(
        "--r1cs", help="circuit .r1cs: verify the input key first (with --ptau)", show_default=False
    ),
]
PtauOption = Annotated[
    Path | None,
    typer.Option(
        "--ptau",
        help="phase-2-prepared .ptau: verify the input key first (with --r1cs)",
        show_default=False,
    ),
]
ENTROPY_ARGUMENT_WARNING = (
    "warning: entropy given with -e is visible to other users (ps) and stays in your shell "
    "history; omit -e to type it at a hidden prompt or pipe it on stdin"
)
UNVERIFIED_INPUT_WARNING = (
    "warning: the input key was not verified against the circuit and ceremony (pass --r1cs "
    "and --ptau): only its structure was checked, which refuses dev-setup keys but not a key "
    "built on purpose from a known τ"
)
MAX_ENTROPY_BYTES = 1 << 16
BackendOption = Annotated[
    str | None,
    typer.Option(help="algebra backend: native or reference (default $ZKM_BACKEND or native)"),
]
BeaconHex = Annotated[str, typer.Argument(help="public beacon value, hex", show_default=False)]
BeaconExp = Annotated[int, typer.Argument(help="SHA-256 iterations exponent (10–30)")]


def _strip(value: str | None) -> str | None:
    return value[1:] if value and value.startswith("=") else value


def _entropy_rng(given: str | None) -> ChaCha:
    """Return the contribution's stream, its entropy from ``-e``, a hidden prompt or stdin."""
    from prover.ceremony.keys import entropy_rng

    if given is not None:
        typer.secho(ENTROPY_ARGUMENT_WARNING, fg="yellow", err=True)
        return entropy_rng(_strip(given))
    if sys.stdin.isatty():
        typed: str = typer.prompt(
            "Enter a random text (entropy, not echoed)",
            hide_input=True,
            default="",
            show_default=False,
            err=True,
        )
        return entropy_rng(typed)
    try:
        piped = sys.stdin.readline(MAX_ENTROPY_BYTES).rstrip("\r\n")
    except (OSError, ValueError):  # stdin closed or unreadable: the OS CSPRNG stands alone
        piped = ""
    if not piped:
        typer.echo("note: no entropy on stdin; using the OS CSPRNG alone", err=True)
    return entropy_rng(piped)


def _check_input_key(zkey: Path, r1cs: Path | None, ptau: Path | None, backend: Backend) -> None:
    """Verify the key to contribute to against r1cs and ptau, or check its structure and warn.

    Runs before the entropy prompt, so a refused key never asks for entropy.
    """
    from algebra.errors import MalformedInputError
    from prover.ceremony.contribution_input import check_against_ceremony, check_key_structure

    if (r1cs is None) != (ptau is None):
        raise MalformedInputError("give both --r1cs and --ptau (or neither)")
    if r1cs is None or ptau is None:
        check_key_structure(zkey, backend=backend)
        typer.secho(UNVERIFIED_INPUT_WARNING, fg="yellow", err=True)
        return
    with _bars() as progress:
        check_against_ceremony(zkey, r1cs, ptau, backend=backend, progress=progress)
    typer.echo(f"input key verified against {r1cs} and {ptau}")


@contextmanager
def _bars() -> Iterator[Progress]:
    """Yield a progress callback drawing one rich bar per step label."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    tasks: dict[str, TaskID] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bars:

        def report(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bars.add_task(label, total=total)
            bars.update(tasks[label], completed=done, total=total)

        yield report


def _beacon(value: str, exp: int) -> Beacon:
    from algebra.errors import MalformedInputError
    from prover.ceremony.params import Beacon

    text = value[2:] if value.startswith("0x") else value
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise MalformedInputError("the beacon must be a hexadecimal string") from None
    return Beacon(raw, exp)


def _verdict(verdict: Verdict, what: str) -> None:
    for note in verdict.notes:
        typer.echo(f"note: {note}")
    if verdict.ok:
        typer.echo(f"OK: {what} is valid")
        raise typer.Exit(0)
    for failure in verdict.failures:
        typer.secho(f"INVALID: {failure}", fg="red", err=True)
    raise typer.Exit(1)


@powersoftau_app.command("new")
def new_command(
    curve: Annotated[str, typer.Argument(help="curve (only bn128)")],
    power: Annotated[int, typer.Argument(help="log2 of the largest circuit domain")],
    out: OutPath,
    backend: BackendOption = None,
) -> None:
    """Start a powers-of-tau accumulator (blank: every point a generator)."""
    from algebra.backend import get_backend
    from algebra.errors import MalformedInputError
    from prover.ceremony.phase1 import new_ptau

    if curve.lower() not in ("bn128", "bn254", "alt_bn128"):
        raise MalformedInputError(f"curve {curve} is not supported (use bn128)")
    challenge = new_ptau(power, out, backend=get_backend(backend))
    typer.echo(f"first challenge hash: {challenge.hex()}")
    typer.echo(f"wrote {out}")


@powersoftau_app.command("contribute")
def contribute_command(
    source: InPath,
    out: OutPath,
    name: NameOption = None,
    entropy: EntropyOption = None,
    backend: BackendOption = None,
) -> None:
    """Add your secret contribution (τ, α, β from the OS CSPRNG, mixed with your entropy)."""
    from algebra.backend import get_backend
    from prover.ceremony.phase1 import contribute

    rng = _entropy_rng(entropy)
    del entropy
    with _bars() as progress:
        result = contribute(
            source,
            out,
            name=_strip(name),
            rng=rng,
            backend=get_backend(backend),
            progress=progress,
        )
    typer.echo(f"contribution #{result.contributions} response hash: {result.response_hash.hex()}")
    typer.echo(f"next challenge hash: {result.next_challenge.hex()}")


@powersoftau_app.command("beacon")
def beacon_command(
    source: InPath,
    out: OutPath,
    beacon: BeaconHex,
    iterations_exp: BeaconExp,
    name: NameOption = None,
    backend: BackendOption = None,
) -> None:
    """Apply a public random beacon as the final contribution (reproducible by anyone)."""
    from algebra.backend import get_backend
    from prover.ceremony.phase1 import apply_beacon

    with _bars() as progress:
        result = apply_beacon(
            source,
            out,
            name=_strip(name),
            beacon=_beacon(beacon, iterations_exp),
            backend=get_backend(backend),
            progress=progress,
        )
    typer.echo(f"beacon response hash: {result.response_hash.hex()}")
    typer.echo(f"next challenge hash: {result.next_challenge.hex()}")


@prepare_app.command("phase2")
def prepare_phase2_command(source: InPath, out: OutPath, backend: BackendOption = None) -> None:
    """Add the Lagrange-basis sections phase 2 (`zkm groth16 setup`) needs."""
    from algebra.backend import get_backend
    from prover.ceremony.prepare import prepare_phase2

    with _bars() as progress:
        prepare_phase2(source, out, backend=get_backend(backend), progress=progress)
    typer.echo(f"wrote {out}")


@powersoftau_app.command("verify")
def verify_ptau_command(
    ptau: InPath,
    earlier: Annotated[
        list[Path] | None,
        typer.Argument(
            help="earlier contributors' output files: checks their response hashes whole",
            show_default=False,
        ),
    ] = None,
    backend: BackendOption = None,
) -> None:
    """Verify a .ptau transcript: exit 0 valid, 1 invalid, 2 bad input."""
    from algebra.backend import get_backend
    from prover.ceremony.verify_phase1 import verify_ptau

    with _bars() as progress:
        verdict = verify_ptau(
            ptau, backend=get_backend(backend), progress=progress, earlier=earlier or ()
        )
    _verdict(verdict, str(ptau))


def register(zkey_app: typer.Typer) -> None:
    """Attach ``contribute``, ``beacon`` and ``verify`` to ``zkm zkey``."""
    zkey_app.command("contribute")(zkey_contribute_command)
    zkey_app.command("beacon")(zkey_beacon_command)
    zkey_app.command("verify")(zkey_verify_command)


def zkey_contribute_command(
    source: InPath,
    out: OutPath,
    name: NameOption = None,
    entropy: EntropyOption = None,
    r1cs: R1csOption = None,
    ptau: PtauOption = None,
    backend: BackendOption = None,
) -> None:
    """Add your secret phase-2 contribution to δ (OS CSPRNG, mixed with your entropy).

    With --r1cs and --ptau the input key is first verified to descend from this circuit's
    ceremony (exit 2 if not); dev-setup keys are refused either way.
    """
    from algebra.backend import get_backend
    from prover.ceremony.phase2 import contribute_zkey

    chosen = get_backend(backend)
    _check_input_key(source, r1cs, ptau, chosen)
    rng = _entropy_rng(entropy)
    del entropy
    with _bars() as progress:
        record = contribute_zkey(
            source, out, name=_strip(name), rng=rng, backend=chosen, progress=progress
        )
    typer.echo(f"contribution hash: {record.contribution_hash().hex()}")


def zkey_beacon_command(
    source: InPath,
    out: OutPath,
    beacon: BeaconHex,
    iterations_exp: BeaconExp,
    name: NameOption = None,
    r1cs: R1csOption = None,
    ptau: PtauOption = None,
    backend: BackendOption = None,
) -> None:
    """Apply a public random beacon as the final phase-2 contribution (input checked as for
    ``zkm zkey contribute``)."""
    from algebra.backend import get_backend
    from prover.ceremony.phase2 import beacon_zkey

    chosen = get_backend(backend)
    _check_input_key(source, r1cs, ptau, chosen)
    with _bars() as progress:
        record = beacon_zkey(
            source,
            out,
            name=_strip(name),
            beacon=_beacon(beacon, iterations_exp),
            backend=chosen,
            progress=progress,
        )
    typer.echo(f"contribution hash: {record.contribution_hash().hex()}")


def zkey_verify_command(
    r1cs: Annotated[Path, typer.Argument(help="circuit .r1cs", show_default=False)],
    ptau: Annotated[Path, typer.Argument(help="phase-2-prepared .ptau", show_default=False)],
    zkey: Annotated[Path, typer.Argument(help=".zkey to verify", show_default=False)],
    vk_out: Annotated[
        Path | None,
        typer.Option(
            "--vk-out",
            help="after a passed verification, write verification_key.json with "
            "zkm_provenance = ceremony-verified",
            show_default=False,
        ),
    ] = None,
    backend: BackendOption = None,
) -> None:
    """Verify a .zkey's phase-2 transcript against the circuit and ptau: exit 0/1/2.

    ``--vk-out`` is the only way zkm labels a key ``ceremony-verified``: the file is written
    only when every check passed (and the key has phase-2 contributions).
    """
    from algebra.backend import get_backend
    from prover.ceremony.verify_phase2 import verify_zkey

    chosen = get_backend(backend)
    with _bars() as progress:
        verdict = verify_zkey(r1cs, ptau, zkey, backend=chosen, progress=progress)
    if vk_out is not None and verdict.ok:
        _write_verified_vk(zkey, vk_out, chosen)
    _verdict(verdict, str(zkey))


def _write_verified_vk(zkey: Path, vk_out: Path, backend: Backend) -> None:
    """Write ``vk_out`` as ``ceremony-verified`` unless the key has no contribution (exit 1)."""
    import json

    from prover.zkey import read_zkey_summary
    from verifier.provenance import KeyProvenance
    from verifier.snarkjs_json import verifying_key_to_json

    summary = read_zkey_summary(zkey, backend=backend)
    if summary.provenance is not None:
        # verify_zkey refuses uncontributed keys itself; this guard keeps --vk-out from
        # ever labelling a key no one contributed to, whatever the verifier's version.
        typer.secho(
            f"INVALID: {zkey} is {summary.provenance}: no verification key written",
            fg="red",
            err=True,
        )
        raise typer.Exit(1)
    body = verifying_key_to_json(summary.vk, provenance=KeyProvenance.CEREMONY_VERIFIED)
    vk_out.write_text(json.dumps(body, indent=1))
    typer.echo(f"wrote {vk_out} (zkm_provenance: ceremony-verified)")
