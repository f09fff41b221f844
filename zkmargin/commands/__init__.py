"""Sub-apps of ``zkm``, one module per area, registered on the root app here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer


def register_all(app: typer.Typer) -> None:
    """Attach every area's sub-app or command to the root ``zkm`` app."""
    from zkmargin.commands import (
        audit,
        ceremony,
        demo,
        groth16,
        margin,
        onchain,
        riskdesk,
        service,
        solvency,
        tools,
        venue,
        version,
    )

    app.add_typer(groth16.groth16_app, name="groth16", help="Groth16 setup, prove and verify.")
    app.add_typer(groth16.zkey_app, name="zkey", help="Export keys and calldata; phase-2 ceremony.")
    onchain.register(groth16.zkey_app)
    ceremony.register(groth16.zkey_app)
    app.add_typer(
        ceremony.powersoftau_app, name="powersoftau", help="Phase-1 ceremony (powers of tau)."
    )
    app.add_typer(tools.r1cs_app, name="r1cs", help="Inspect .r1cs files.")
    app.add_typer(tools.wtns_app, name="wtns", help="Check .wtns witnesses.")
    app.add_typer(margin.margin_app, name="margin", help="The trader's margin workflow.")
    service.register(app)
    audit.register(app)
    demo.register(app)
    riskdesk.register(app)
    venue.register(app)
    solvency.register(app)
    version.register(app)
