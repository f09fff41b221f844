"""``zkm zkey export solidityverifier|soliditycalldata|marginattestation``: on-chain exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zkmargin.commands.common import load_json_file


def load_verifying_key(path: Path) -> object:
    """Return the VerifyingKey in a ``verification_key.json`` or a ``.zkey`` file."""
    if path.suffix == ".json":
        from verifier.snarkjs_json import verifying_key_from_json

        return verifying_key_from_json(load_json_file(path))
    from prover.zkey import read_zkey

    return read_zkey(path).vk


def register(zkey_app: typer.Typer) -> None:
    """Attach the Solidity exports to ``zkm zkey export``."""
    export_app = _export_app(zkey_app)

    @export_app.command("solidityverifier")
    def solidity_verifier(
        key: Annotated[Path, typer.Argument(help="A .zkey or a verification_key.json.")],
        out: Annotated[Path, typer.Argument(help="Where to write Verifier.sol.")],
        name: Annotated[str, typer.Option(help="Contract name.")] = "Groth16Verifier",
    ) -> None:
        """Write a gas-lean Solidity verifier (snarkjs-compatible ABI) for the key."""
        from verifier.keys import VerifyingKey
        from verifier.solidity import render_verifier

        vk = load_verifying_key(key)
        assert isinstance(vk, VerifyingKey)
        out.write_text(render_verifier(vk, contract_name=name))
        typer.echo(f"wrote {out} ({vk.n_public} public inputs)")

    @export_app.command("marginattestation")
    def margin_attestation(
        key: Annotated[Path, typer.Argument(help="The margin .zkey or verification_key.json.")],
        out: Annotated[Path, typer.Argument(help="Where to write MarginAttestation.sol.")],
    ) -> None:
        """Write the MarginAttestation contract (with its verifier) for the margin key."""
        from verifier.keys import VerifyingKey
        from zkmargin.margin.attestation import render_margin_attestation

        vk = load_verifying_key(key)
        assert isinstance(vk, VerifyingKey)
        out.write_text(render_margin_attestation(vk))
        typer.echo(f"wrote {out}")

    @export_app.command("soliditycalldata")
    def solidity_calldata_command(
        public: Annotated[Path, typer.Argument(help="public.json")],
        proof: Annotated[Path, typer.Argument(help="proof.json")],
    ) -> None:
        """Print verifyProof's arguments, G2 coordinates in EVM order."""
        from verifier.snarkjs_json import proof_from_json, public_inputs_from_json
        from verifier.solidity import solidity_calldata

        typer.echo(
            solidity_calldata(
                proof_from_json(load_json_file(proof)),
                public_inputs_from_json(load_json_file(public)),
            )
        )


def _export_app(zkey_app: typer.Typer) -> typer.Typer:
    """Return the ``zkey export`` sub-app, creating it once."""
    for group in zkey_app.registered_groups:
        if group.name == "export" and group.typer_instance is not None:
            return group.typer_instance
    export_app = typer.Typer(no_args_is_help=True, help="Export keys, verifiers and calldata.")
    zkey_app.add_typer(export_app, name="export")
    return export_app
