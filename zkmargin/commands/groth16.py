"""``zkm groth16 …`` and ``zkm zkey …``: snarkjs-compatible verbs (same argument order)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

groth16_app = typer.Typer(no_args_is_help=True)
zkey_app = typer.Typer(no_args_is_help=True)


@groth16_app.command("verify")
def verify_command(
    verification_key: Annotated[
        Path, typer.Argument(help="snarkjs verification_key.json", show_default=False)
    ],
    public: Annotated[Path, typer.Argument(help="public.json (public inputs)", show_default=False)],
    proof: Annotated[Path, typer.Argument(help="proof.json", show_default=False)],
    backend: Annotated[
        str | None,
        typer.Option(help="algebra backend: native or reference (default $ZKM_BACKEND or native)"),
    ] = None,
) -> None:
    """Verify a Groth16 proof: exit 0 and print OK if valid, 1 if invalid, 2 on bad input."""
    from algebra.backend import get_backend
    from verifier.snarkjs_json import (
        proof_from_json,
        public_inputs_from_json,
        verifying_key_from_json,
    )
    from verifier.verify import verify
    from zkmargin.commands.common import load_json_file

    vk = verifying_key_from_json(load_json_file(verification_key))
    inputs = public_inputs_from_json(load_json_file(public))
    parsed = proof_from_json(load_json_file(proof))
    if verify(vk, parsed, inputs, backend=get_backend(backend)):
        typer.echo("OK")
        raise typer.Exit(0)
    typer.echo("INVALID: the proof does not verify", err=True)
    raise typer.Exit(1)


BackendOption = Annotated[
    str | None,
    typer.Option(help="algebra backend: native or reference (default $ZKM_BACKEND or native)"),
]


@groth16_app.command("setup")
def setup_command(
    r1cs: Annotated[Path, typer.Argument(help="circuit .r1cs", show_default=False)],
    ptau: Annotated[
        Path, typer.Argument(help="phase-2-prepared .ptau (with --dev: the output .zkey)")
    ],
    zkey: Annotated[Path | None, typer.Argument(help="output .zkey", show_default=False)] = None,
    dev: Annotated[
        bool, typer.Option("--dev", help="UNSAFE single-party setup without a ceremony")
    ] = False,
    backend: BackendOption = None,
) -> None:
    """Make a Groth16 .zkey from a powers-of-tau ceremony (or, UNSAFE, with --dev)."""
    from algebra.backend import get_backend
    from circuits.formats.r1cs_file import read_r1cs
    from prover.setup import setup_dev, setup_from_ptau
    from prover.zkey import write_zkey

    if dev == (zkey is not None):
        raise typer.BadParameter("use `setup <r1cs> <ptau> <zkey>` or `setup --dev <r1cs> <zkey>`")
    chosen = get_backend(backend)
    circuit = read_r1cs(r1cs)
    if dev:
        pk = setup_dev(circuit, backend=chosen)
        out = ptau
        typer.secho(_UNSAFE_BANNER, fg="red", bold=True)
    else:
        assert zkey is not None
        pk = setup_from_ptau(circuit, ptau, backend=chosen)
        out = zkey
    write_zkey(pk, out, backend=chosen)
    typer.echo(pk.describe())
    typer.echo(f"wrote {out}")


_UNSAFE_BANNER = (
    "UNSAFE DEV SETUP: one process drew the toxic waste; anyone who controlled it could "
    "forge proofs. Never use this key in production."
)


@groth16_app.command("prove")
def prove_command(
    zkey: Annotated[Path, typer.Argument(help="proving key .zkey", show_default=False)],
    witness: Annotated[Path, typer.Argument(help="witness .wtns", show_default=False)],
    proof: Annotated[Path, typer.Argument(help="output proof.json", show_default=False)],
    public: Annotated[Path, typer.Argument(help="output public.json", show_default=False)],
    backend: BackendOption = None,
) -> None:
    """Prove with a snarkjs .zkey and .wtns; write snarkjs proof.json and public.json."""
    from zkmargin.commands.groth16_prove import prove_files

    prove_files(zkey, witness, proof, public, backend)


zkey_export_app = typer.Typer(no_args_is_help=True, help="Export keys, verifiers and calldata.")
zkey_app.add_typer(zkey_export_app, name="export")


@zkey_export_app.command("verificationkey")
def export_verification_key_command(
    zkey: Annotated[Path, typer.Argument(help="proving key .zkey", show_default=False)],
    verification_key: Annotated[
        Path, typer.Argument(help="output verification_key.json", show_default=False)
    ],
    backend: BackendOption = None,
) -> None:
    """Write snarkjs's verification_key.json for a .zkey (reads only the key's header).

    The JSON carries ``zkm_provenance`` when the file alone settles it (``dev`` or
    ``uncontributed``); a contributed key gets none here — ``zkm zkey verify … --vk-out``
    writes ``ceremony-verified`` after its transcript passes.
    """
    import json

    from algebra.backend import get_backend
    from prover.keys import UNVERIFIED_NOTE, provenance_label
    from prover.zkey import read_zkey_summary
    from verifier.snarkjs_json import verifying_key_to_json

    summary = read_zkey_summary(zkey, backend=get_backend(backend))
    label = provenance_label(summary.provenance)
    if label:
        typer.secho(label, fg="red", bold=True, err=True)
    elif summary.provenance is None:
        typer.echo(f"note: no zkm_provenance written: {UNVERIFIED_NOTE}", err=True)
    body = verifying_key_to_json(summary.vk, provenance=summary.provenance)
    verification_key.write_text(json.dumps(body, indent=1))
    typer.echo(f"wrote {verification_key}")
