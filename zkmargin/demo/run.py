"""Drive the whole demo: market, keys, service, oracle, venue, traders, clearing, auditor.

:func:`run_demo` returns a :class:`DemoResult`; the caller prints it
(:mod:`zkmargin.demo.summary`) and exits 0 only when ``result.ok``. Positions and salts
stay in memory: nothing here prints or writes them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rich.console import Console
from rich.panel import Panel
from sqlalchemy import func, select

from circuits.margin.model import AccountState, MarketSnapshot, Opening
from circuits.margin.sample import sample_accounts
from circuits.margin.sizes import get_size
from circuits.margin.statement import REQUIREMENT_MAINTENANCE, kind_name
from zkmargin.demo import actors
from zkmargin.demo.keys import LOCAL_CEREMONY_BANNER, UNSAFE_BANNER, DemoKeys, make_dev_keys
from zkmargin.demo.narrator import Narrator
from zkmargin.demo.outcome import DemoResult
from zkmargin.demo.riskdesk import risk_desk_snapshot
from zkmargin.demo.server import InProcessService
from zkmargin.demo.solvency import venue_solvency
from zkmargin.demo.trader import ProverKit, Statement, TraderResult

STATEMENT: Final = Statement(kind=REQUIREMENT_MAINTENANCE, buffer_ppm=1_250_000)
"""Every trader proves ``equity ≥ 1.25 × maintenance requirement``."""
DB_NAME: Final = "service.db"
LOG_NAME: Final = "service.log"


@dataclass(frozen=True)
class DemoOptions:
    """What ``zkm demo`` was asked to do."""

    accounts: int = 10
    size: str = "tiny"
    out: Path = Path("zkm-demo")
    database_url: str | None = None
    ceremony: bool = False
    seed: int = 1
    quiet: bool = False


def _database(options: DemoOptions, out: Path) -> str:
    """Return the database URL: ``--db``, or a fresh SQLite file in the output directory."""
    if options.database_url is not None:
        return options.database_url
    db_file = out / DB_NAME
    for leftover in (db_file, out / f"{DB_NAME}-wal", out / f"{DB_NAME}-shm"):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{db_file}"


def _next_epoch(service: InProcessService) -> int:
    """Return the epoch after the latest opened one (1 on a fresh database)."""
    from api.models import Epoch

    with service.state.sessions() as session:
        latest = session.scalar(select(func.max(Epoch.epoch)))
    return 1 if latest is None else int(latest) + 1


def _make_keys(options: DemoOptions, out: Path, story: Narrator) -> DemoKeys:
    size = get_size(options.size)
    directory = out / "keys"
    if not options.ceremony:
        with story.progress_console.status(f"compiling the {size.name} circuit; dev setup"):
            return make_dev_keys(size, directory)
    from zkmargin.demo.ceremony import make_ceremony_keys

    with story.progress_console.status("local ceremony: compiling the circuit") as status:

        def progress(label: str, done: int, total: int) -> None:
            status.update(f"local ceremony: {label} ({done}/{total})")

        return make_ceremony_keys(size, directory, progress)


def _describe_snapshot(snapshot: MarketSnapshot) -> str:
    live = sum(1 for inst in snapshot.instruments if inst.mark_price)
    assets = sum(1 for coll in snapshot.collateral if coll.price)
    return (
        f"{live} instruments and {assets} collateral assets in {snapshot.n_instruments}"
        f" + {snapshot.n_collateral} slots, {snapshot.n_scenarios} risk scenarios"
    )


@dataclass
class _World:
    """The demo's shared state while it runs (the venue's books stay in memory only)."""

    options: DemoOptions
    story: Narrator
    service: InProcessService
    result: DemoResult
    snapshot: MarketSnapshot
    books: list[tuple[str, AccountState]]
    circuit_id: str = ""


def _market_and_keys(
    options: DemoOptions, out: Path, service: InProcessService, story: Narrator
) -> tuple[MarketSnapshot, list[tuple[str, AccountState]], DemoKeys, float]:
    """Sample the market and the venue's books, write the public snapshot, make the keys."""
    start = time.perf_counter()
    rng = random.Random(options.seed)
    desk = risk_desk_snapshot(options.size, _next_epoch(service), out)
    snapshot = desk.snapshot
    books = [(name, state) for name, state, _ in sample_accounts(snapshot, options.accounts, rng)]
    (out / "snapshot.json").write_text(snapshot.model_dump_json(indent=2) + "\n")
    sampled = time.perf_counter() - start
    story.say("market", f"epoch {snapshot.epoch}: {_describe_snapshot(snapshot)};"
                        f" {len(books)} accounts at the venue")  # fmt: skip
    story.note(f"risk desk: {desk.describe_policy()}; SYNTHETIC market data")
    story.note(f"signed by oracle key {desk.signer_key_id} (Ed25519); signature checked and the"
               f" snapshot recomputed identically from its inputs → {desk.directory}")  # fmt: skip
    keys = _make_keys(options, out, story)
    story.say("keys", f"{keys.how}: {options.size} margin circuit, {keys.n_constraints:,}"
                      f" constraints, {keys.seconds:.1f} s → {keys.directory}")  # fmt: skip
    banner = UNSAFE_BANNER if keys.unsafe else LOCAL_CEREMONY_BANNER
    story.console.print(Panel(banner, title="WARNING", style="bold yellow"), soft_wrap=False)
    return snapshot, books, keys, sampled


def _publish(world: _World) -> dict[str, Opening]:
    """Admin registers the circuit, the oracle posts the snapshot, the venue commits."""
    from verifier.snarkjs_json import verifying_key_from_json

    story, service, result = world.story, world.service, world.result
    vk_json = result.keys.verifying_key_json()
    fingerprint = verifying_key_from_json(vk_json).fingerprint()
    world.circuit_id = f"margin-{world.options.size}-{fingerprint[:12]}"
    description = f"zkm demo, {result.keys.how}"
    accounts = [account_id for account_id, _ in world.books]
    circuit = actors.admin_setup(
        service, world.circuit_id, result.keys, description, result.epoch, accounts
    )
    label = "[bold yellow]UNSAFE[/] " if circuit.unsafe else ""
    story.say("service", f"verifier service on {service.url}; the admin registered circuit"
                         f" {world.circuit_id} ({label}{circuit.provenance} key), declared it the"
                         f" margin circuit of epoch {result.epoch}, opened the epoch and enrolled"
                         f" {len(accounts)} accounts to venue {actors.VENUE}")  # fmt: skip
    story.note(f"database: {result.database_url}; access log: {result.out_dir / LOG_NAME}")
    digest = actors.post_snapshot(service, world.snapshot, result.out_dir / "riskdesk")
    story.say("oracle", f"posted the epoch-{result.epoch} snapshot, signed; the service checked"
                        " the signature against the key the admin registered for this oracle"
                        f" and keeps inputs and policy; hash {_short(digest)}")  # fmt: skip
    start = time.perf_counter()
    with story.bar("venue: committing", len(world.books)) as advance:
        openings = actors.register_commitments(service, result.epoch, world.books, advance)
    result.timings["commitments"] = time.perf_counter() - start
    story.say("venue", f"committed to {len(openings)} accounts (Poseidon, fresh 248-bit salts)"
                       " and registered every C; each trader received their opening")  # fmt: skip
    return openings


def _short(value: int) -> str:
    text = str(value)
    return f"{text[:6]}…{text[-6:]}"


def _traders(world: _World, kit: ProverKit, openings: dict[str, Opening]) -> None:
    """Every trader proves locally and submits; then one non-compliant trader tries to cheat."""
    story, result = world.story, world.result
    compliant: tuple[str, TraderResult] | None = None
    refused: tuple[str, str] | None = None
    start = time.perf_counter()
    with story.bar("traders: proving", len(openings)) as advance:
        for account_id, opening in openings.items():
            outcome, local, key = actors.trader_turn(
                world.service, kit, world.circuit_id, account_id, opening, world.snapshot,
                STATEMENT,
            )  # fmt: skip
            result.accounts.append(outcome)
            if local.proof is not None and compliant is None:
                compliant = (account_id, local)
            if local.proof is None and refused is None:
                refused = (account_id, key)
            advance()
    result.timings["proving"] = time.perf_counter() - start
    _tell_traders(story, result)
    if compliant is not None and refused is not None:
        cheat = actors.attempt_cheat(
            world.service, world.circuit_id, result.epoch, refused, compliant
        )
        result.cheat = cheat
        verdict = "[green]refused[/]" if cheat.refused else "[bold red]NOT refused[/]"
        story.note(f"cheat: {cheat.cheater} submitted {cheat.victim}'s proof as its own →"
                   f" {verdict} ({cheat.answer})")  # fmt: skip


def _tell_traders(story: Narrator, result: DemoResult) -> None:
    provers = [a for a in result.accounts if a.prove_seconds is not None]
    accepted = sum(a.accepted is True for a in provers)
    unable = [a for a in result.accounts if a.prove_seconds is None]
    circuit_agrees = all(a.circuit_refused for a in unable)
    story.say("traders", f"{len(provers)} proved {result.statement} locally and submitted"
                         f" ({accepted} accepted by the service)")  # fmt: skip
    if unable:
        agreement = (
            "the circuit is unsatisfiable for every one"
            if circuit_agrees
            else ("[bold red]the circuit did NOT refuse all of them[/]")
        )
        story.note(f"{len(unable)} cannot prove: not compliant per the reference engine, and"
                   f" {agreement}; no proof exists, nothing is sent")  # fmt: skip


def _clearing(world: _World) -> None:
    story, result = world.story, world.result
    start = time.perf_counter()
    with story.bar("clearing: status", len(result.accounts)) as advance:
        result.service_counts, warnings = actors.query_statuses(
            world.service, result.epoch, result.accounts, advance
        )
    result.timings["status"] = time.perf_counter() - start
    counts = result.service_counts
    story.say("clearing", f"asked every account's status: {counts['compliant']} compliant,"
                          f" {counts['non_compliant']} non-compliant, {counts['missing']} missing"
                          " (no proof)")  # fmt: skip
    for warning in sorted(warnings):
        story.note(f"[bold yellow]every answer says: {warning}[/]")


def _audit(world: _World) -> None:
    from verifier.snarkjs_json import verifying_key_from_json

    story, result = world.story, world.result
    vk = verifying_key_from_json(result.keys.verifying_key_json())
    result.json_report = result.out_dir / "audit.json"
    result.html_report = result.out_dir / "audit.html"
    start = time.perf_counter()
    report, result.batch_rate = actors.audit_epoch(
        world.service, vk, result.epoch, (result.json_report, result.html_report),
        result.proofs, story.quiet,
    )  # fmt: skip
    result.timings["audit"] = time.perf_counter() - start
    result.audit = report
    verdict = "all valid" if report.all_valid else f"{len(report.invalid)} INVALID"
    story.say("auditor", f"pulled epoch {result.epoch} and batch-verified {report.checked}"
                         f" proofs: {verdict}; {report.proofs_per_second:,.0f} proofs/s end to end"
                         f" (HTTP pull and record checks included), batch verification alone"
                         f" {result.batch_rate:,.0f} proofs/s → {result.html_report}")  # fmt: skip


def run_demo(options: DemoOptions, console: Console, progress_console: Console) -> DemoResult:
    """Run every actor's part against an in-process verifier service and return what happened.

    Raises:
        ZkError: bad options (unknown size), a service that refuses a legitimate request,
            or a service that does not start.
    """
    get_size(options.size)
    started = time.perf_counter()
    out = options.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    story = Narrator(console, progress_console, options.quiet)
    database_url = _database(options, out)
    console.print(f"[bold]zkm demo[/]: {options.accounts} accounts, {options.size} circuit,"
                  f" output in {out}")  # fmt: skip
    with InProcessService(database_url, out / LOG_NAME) as service:
        snapshot, books, keys, sampled = _market_and_keys(options, out, service, story)
        result = DemoResult(
            out_dir=out,
            database_url=database_url,
            service_url=service.url,
            epoch=snapshot.epoch,
            size=options.size,
            keys=keys,
            statement=f"equity ≥ {STATEMENT.buffer_ppm / 1e6:g} × {kind_name(STATEMENT.kind)}",
            timings={"sample": sampled, "setup": keys.seconds},
        )
        world = _World(options, story, service, result, snapshot, books)
        openings = _publish(world)
        _traders(world, _load_kit(options, keys), openings)
        _clearing(world)
        _audit(world)
        start = time.perf_counter()
        venue_solvency(out, options.size, snapshot, openings, story, service)
        result.timings["solvency"] = time.perf_counter() - start
    result.timings["total"] = time.perf_counter() - started
    return result


def _load_kit(options: DemoOptions, keys: DemoKeys) -> ProverKit:
    from prover.zkey import read_zkey
    from zkmargin.margin.workflow import compiled_margin

    return ProverKit(compiled_margin(get_size(options.size)), read_zkey(keys.zkey))
