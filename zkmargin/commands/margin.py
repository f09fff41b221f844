"""``zkm margin …``: sample, report, commit, setup, prove and verify margin statements.

Nothing prints positions, per-slot values or the salt unless ``--reveal`` is given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zkmargin.commands.margin_prove import parse_buffer, prove_margin_files
from zkmargin.commands.margin_prove import status as _status

if TYPE_CHECKING:
    from circuits.margin.model import AccountState

margin_app = typer.Typer(no_args_is_help=True)

PathArg = Annotated[Path, typer.Argument(show_default=False)]
Reveal = Annotated[bool, typer.Option("--reveal", help="also print positions / per-slot values")]


def _echo_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2))


@margin_app.command("sample")
def sample_command(
    out: Annotated[Path, typer.Option("--out", help="output directory", show_default=False)],
    accounts: Annotated[int, typer.Option("--accounts", min=1, max=1000)] = 6,
    size: Annotated[str, typer.Option("--size", help="tiny, standard or large")] = "standard",
    seed: Annotated[int, typer.Option("--seed", help="random seed")] = 1,
    epoch: Annotated[int, typer.Option("--epoch", min=0)] = 1,
) -> None:
    """Write a realistic DIR/snapshot.json and DIR/accounts/*.json (some compliant, some not)."""
    import random

    from circuits.margin.loading import dump_json
    from circuits.margin.sample import sample_accounts, sample_snapshot
    from circuits.margin.sizes import get_size

    chosen = get_size(size)
    rng = random.Random(seed)
    snapshot = sample_snapshot(chosen, rng, epoch)
    (out / "accounts").mkdir(parents=True, exist_ok=True)
    (out / "snapshot.json").write_text(dump_json(snapshot))
    made = sample_accounts(snapshot, accounts, rng)
    for name, state, _ in made:
        (out / "accounts" / f"{name}.json").write_text(dump_json(state))
    compliant = sum(1 for *_, ok in made if ok)
    counts = f"{compliant} compliant, {len(made) - compliant} not"
    typer.echo(f"wrote {out / 'snapshot.json'} ({chosen.name}) and {len(made)} accounts ({counts})")


def _load_state_or_opening(path: Path) -> AccountState:
    """Return the state in a state file or in an opening file."""
    from circuits.margin.loading import load_opening, load_state
    from zkmargin.commands.common import load_json_file

    obj = load_json_file(path)
    if isinstance(obj, dict) and "state" in obj:
        return load_opening(obj).state
    return load_state(obj)


@margin_app.command("report")
def report_command(
    state: PathArg,
    snapshot: PathArg,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON object")] = False,
    buffer: Annotated[str, typer.Option("--buffer", help="buffer ratio, e.g. 1.25")] = "1",
    reveal: Reveal = False,
    liquidation: Annotated[
        bool,
        typer.Option(
            "--liquidation",
            help="also print each held instrument's liquidation marks (reveals"
            " positions; stays on this machine)",
        ),
    ] = False,
    keys: Annotated[
        Path | None,
        typer.Option("--keys", help="also check the snapshot and state fit these keys' shape"),
    ] = None,
) -> None:
    """Show equity, requirements, distance to maintenance and compliance of a state (or
    opening) under a snapshot; with --liquidation, the marks at which it falls below
    maintenance."""
    from dataclasses import asdict

    from circuits.margin.liquidation import liquidation_report
    from circuits.margin.loading import load_snapshot
    from circuits.margin.reference import margin_report

    market = load_snapshot(snapshot)
    account = _load_state_or_opening(state)
    if keys is not None:
        from zkmargin.margin.workflow import check_keys_fit

        check_keys_fit(keys, market, account)
    report = margin_report(account, market)
    summary = report.summary(parse_buffer(buffer))
    liquidations = liquidation_report(account, market, with_prices=liquidation)
    summary.update(liquidations.summary())
    if liquidation:
        summary["liquidation"] = (
            [p.as_json() for p in liquidations.instruments] if liquidations.compliant else None
        )
    if reveal:
        summary["per_slot"] = asdict(report)
    if as_json:
        _echo_json(summary)
        return
    for key, value in summary.items():
        if key not in ("per_slot", "liquidation"):
            typer.echo(f"{key:>24}: {value}")
    if liquidation:
        _echo_liquidation(liquidations.compliant, summary["liquidation"])
    if reveal:
        _echo_json(summary["per_slot"])


def _echo_liquidation(compliant: bool, prices: list[dict[str, Any]] | None) -> None:
    """Print one line per held instrument: its mark and nearest breach marks (in QQ)."""
    if not compliant or prices is None:
        typer.echo("liquidation: already below maintenance at the current marks")
        return
    typer.echo("liquidation marks (QQ per whole unit; everything else held fixed):")
    none = "none within the snapshot's bounds"
    for p in prices:
        down = none if p["down"] is None else p["down"]
        up = none if p["up"] is None else p["up"]
        name = p["symbol"] or f"slot {p['slot']}"
        typer.echo(f"  {name}: mark {p['mark']}; down: {down}; up: {up}")


@margin_app.command("commit")
def commit_command(
    state: PathArg,
    out: Annotated[Path, typer.Option("--out", help="opening.json to write", show_default=False)],
    reveal: Reveal = False,
) -> None:
    """Commit to a state with a fresh salt; write the opening (keep it private), print C."""
    from circuits.margin.commitment import commit
    from circuits.margin.loading import dump_json, load_state

    opening = commit(load_state(state))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_json(opening))
    typer.echo(f"commitment: {opening.commitment}")
    if reveal:
        typer.echo(f"salt: {opening.salt}")


def _slots_option(flag: str, what: str) -> Any:
    return typer.Option(flag, help=f"{what} (overrides --size's)", show_default=False)


@margin_app.command("setup")
def setup_command(
    out: Annotated[Path, typer.Option("--out", help="keys directory", show_default=False)],
    size: Annotated[str, typer.Option("--size", help="tiny, standard or large")] = "standard",
    dev: Annotated[bool, typer.Option("--dev", help="UNSAFE single-party setup")] = False,
    ptau: Annotated[Path | None, typer.Option("--ptau", help="phase-2-prepared .ptau")] = None,
    instruments: Annotated[int | None, _slots_option("--instruments", "instrument slots")] = None,
    collateral: Annotated[int | None, _slots_option("--collateral", "collateral slots")] = None,
    scenarios: Annotated[int | None, _slots_option("--scenarios", "risk scenarios")] = None,
    tier_slots: Annotated[
        int | None, _slots_option("--tier-slots", "margin tier slots per instrument")
    ] = None,
    haircut_tier_slots: Annotated[
        int | None, _slots_option("--haircut-tier-slots", "haircut tier slots per asset")
    ] = None,
    features: Annotated[
        str,
        typer.Option(
            "--features",
            help="snapshot-v2 features the keys accept, comma-separated names (e.g."
            " size-rates,size-weights,open-interest) or a mask; default none (version 1)",
        ),
    ] = "",
) -> None:
    """Create proving and verification keys for a circuit size or a custom shape.

    The slot options override the named size's counts (all five make a fully custom
    shape); ``--features`` adds snapshot-format-2 features (a custom size). The shape is
    recorded beside the keys and every snapshot must match it.
    """
    from dataclasses import replace

    from circuits.margin.errors import MarginInputError
    from circuits.margin.extensions import parse_feature_mask
    from circuits.margin.sizes import custom_size, describe_shape
    from zkmargin.margin.workflow import setup_keys

    if dev == (ptau is not None):
        raise MarginInputError("choose exactly one of --dev (UNSAFE) and --ptau FILE")
    chosen = custom_size(size, {
        "n_instruments": instruments, "n_collateral": collateral, "n_scenarios": scenarios,
        "tier_slots": tier_slots, "haircut_tier_slots": haircut_tier_slots,
    })  # fmt: skip
    mask = parse_feature_mask(features)
    if mask:
        chosen = replace(chosen, name="custom", features=mask)
    with _status(f"compiling and setting up the {chosen.name} margin circuit"):
        meta = setup_keys(chosen, out, ptau=ptau)
    if dev:
        typer.secho("WARNING: UNSAFE dev setup — the toxic waste was local; never use in"
                    " production", fg="yellow", err=True)  # fmt: skip
    else:
        typer.secho("WARNING: UNSAFE uncontributed keys — no phase-2 contribution yet, anyone"
                    " can forge proofs; run `zkm zkey contribute` (docs/ceremony.md)",
                    fg="yellow", err=True)  # fmt: skip
    typer.echo(f"wrote keys for {describe_shape(chosen)} ({meta['n_constraints']} constraints)"
               f" to {out}")  # fmt: skip
    typer.echo(f"provenance: {meta['provenance']} (UNSAFE)")


@margin_app.command("prove")
def prove_command(
    opening: PathArg,
    snapshot: PathArg,
    keys: Annotated[Path, typer.Option("--keys", help="keys directory", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="proof directory", show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help="maintenance or initial")] = "maintenance",
    buffer: Annotated[str, typer.Option("--buffer", help="buffer ratio ≥ 1, e.g. 1.25")] = "1",
    terms: Annotated[
        Path | None,
        typer.Option("--terms", help="the snapshot's published prover terms (zkm margin terms)"),
    ] = None,
) -> None:
    """Prove on this machine that the committed account meets the requirement (exit 2 if not)."""
    typer.echo(prove_margin_files(opening, snapshot, keys, out, kind, buffer, terms))


@margin_app.command("terms")
def terms_command(
    snapshot: PathArg,
    keys: Annotated[Path, typer.Option("--keys", help="keys directory", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="terms file to write", show_default=False)],
    kind: Annotated[str, typer.Option("--kind", help="maintenance or initial")] = "maintenance",
) -> None:
    """Write the snapshot's prover terms (public): traders pass them to prove with --terms."""
    from circuits.margin.loading import load_snapshot
    from circuits.margin.statement import parse_kind
    from zkmargin.margin.terms import compute_prover_terms

    market = load_snapshot(snapshot)
    with _status("computing the shared wires' MSM terms"):
        made = compute_prover_terms(market, keys, parse_kind(kind))
    out.write_text(made.to_json())
    typer.echo(f"wrote {out} ({kind} proofs of epoch {market.epoch}, checked by a proof)")


@margin_app.command("verify")
def verify_command(
    proof_dir: PathArg,
    snapshot: PathArg,
    keys: Annotated[Path, typer.Option("--keys", help="keys directory", show_default=False)],
    commitment: Annotated[str | None, typer.Option("--commitment", help="expected C")] = None,
) -> None:
    """Verify a margin proof against a snapshot: exit 0 valid, 1 invalid, 2 bad input."""
    from circuits.margin.errors import MarginInputError
    from circuits.margin.loading import load_snapshot
    from circuits.margin.statement import kind_name
    from verifier.snarkjs_json import proof_from_json, public_inputs_from_json
    from zkmargin.commands.common import load_json_file
    from zkmargin.margin.workflow import verify_margin

    expected = None
    if commitment is not None:
        if not commitment.isdigit():
            raise MarginInputError("--commitment must be a decimal integer")
        expected = int(commitment)
    proof = proof_from_json(load_json_file(proof_dir / "proof.json"))
    public = public_inputs_from_json(load_json_file(proof_dir / "public.json"))
    verdict = verify_margin(proof, public, load_snapshot(snapshot), keys, expected)
    s = verdict.statement
    if not verdict.valid:
        typer.echo(f"INVALID: {verdict.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: commitment {s.commitment} meets the {kind_name(s.requirement_kind)}"
               f" requirement with buffer {s.buffer_ppm / 1_000_000:g}")  # fmt: skip
