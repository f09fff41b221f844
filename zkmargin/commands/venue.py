"""``zkm oracle post`` and ``zkm venue commit``: the oracle's and venue's client verbs.

Both are thin over :class:`api.client.ZkmClient`, idempotent and resumable: the service
answers 200 to a repeated identical write, and ``venue commit`` writes each trader's
opening *before* registering its commitment and reuses it on a re-run, so an interrupted
run simply continues. Openings (state + salt) stay on the venue's disk; nothing prints them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from algebra.errors import ZkError

if TYPE_CHECKING:
    from circuits.margin.model import AccountState, Opening


class ServiceUnreachableError(ZkError):
    """The service could not be reached (connection refused, timeout, bad URL)."""


oracle_app = typer.Typer(no_args_is_help=True)
venue_app = typer.Typer(no_args_is_help=True)

ServiceOption = Annotated[
    str, typer.Option("--service", envvar="ZKM_URL", help="Service base URL (or $ZKM_URL).")
]
KeyOption = Annotated[
    str, typer.Option("--key", envvar="ZKM_API_KEY", help="API key (or $ZKM_API_KEY).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="no progress bar")]


@contextmanager
def _progress(label: str, total: int, quiet: bool) -> Iterator[Progress]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        disable=quiet,
        transient=False,
    )
    with progress:
        progress.add_task(label, total=total)
        yield progress


if TYPE_CHECKING:
    from rich.progress import Progress

    from api.client import ZkmClient


@contextmanager
def _service(url: str, key: str) -> Iterator[ZkmClient]:
    """Yield a client of ``url``; an unreachable service becomes one ServiceUnreachableError."""
    import httpx

    from api.client import ZkmClient

    try:
        with ZkmClient(url, key) as client:
            yield client
    except httpx.TransportError as error:
        raise ServiceUnreachableError(f"cannot reach the service at {url}: {error}") from None


@oracle_app.command("post")
def post_command(
    snapshots: Annotated[
        list[Path], typer.Argument(help="snapshot JSON files", show_default=False)
    ],
    service: ServiceOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
    quiet: QuietOption = False,
) -> None:
    """Post each snapshot for its epoch (already posted and identical: skipped as done)."""
    from circuits.margin.loading import load_snapshot

    loaded = [load_snapshot(path) for path in snapshots]
    lines = []
    with _service(service, key) as client, _progress("post", len(loaded), quiet) as bar:
        for snapshot in loaded:
            posted = client.post_snapshot(snapshot.epoch, snapshot.model_dump(mode="json"))
            lines.append(f"epoch {posted.epoch}: snapshot hash {posted.snapshot_hash}")
            bar.advance(bar.task_ids[0])
    typer.echo("\n".join(lines))


def _opening_for(state: AccountState, path: Path) -> Opening:
    """Return the opening at ``path`` if it opens ``state``, else a fresh one written there."""
    from circuits.margin.commitment import commit
    from circuits.margin.errors import MarginInputError
    from circuits.margin.loading import dump_json, load_opening

    if path.exists():
        opening = load_opening(path)
        if opening.state != state:
            raise MarginInputError(
                f"{path} opens a different state than the account file; this epoch's"
                " commitment was already made for the old state"
            )
        return opening
    opening = commit(state)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(dump_json(opening))
    partial.chmod(0o600)
    partial.replace(path)  # atomic: never a half-written opening
    return opening


def _load_account(path: Path) -> AccountState:
    """Return the state in ``path``; MarginInputError naming the file if it is not one."""
    from circuits.margin.errors import MarginInputError
    from circuits.margin.loading import load_state

    try:
        return load_state(path)
    except MarginInputError as error:
        raise MarginInputError(f"{path.name}: {error}") from None


def account_files(accounts_dir: Path) -> Sequence[Path]:
    """Return the account state files (``*.json``, sorted); MarginInputError if none."""
    from circuits.margin.errors import MarginInputError

    files = sorted(p for p in accounts_dir.glob("*.json") if p.is_file())
    if not files:
        raise MarginInputError(f"{accounts_dir} holds no account files (*.json)")
    return files


@venue_app.command("commit")
def commit_command(
    accounts_dir: Annotated[Path, typer.Argument(help="directory of account state JSON files")],
    epoch: Annotated[int, typer.Option("--epoch", min=0, max=2**64 - 1, show_default=False)],
    openings: Annotated[
        Path | None,
        typer.Option("--openings", help="where openings go (default DIR/../openings/epoch-N)"),
    ] = None,
    service: ServiceOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
    quiet: QuietOption = False,
) -> None:
    """Commit to every account's state, write each trader's opening, register C (resumable)."""

    files = account_files(accounts_dir)
    states = [(path.stem, _load_account(path)) for path in files]
    out = openings or accounts_dir.parent / "openings" / f"epoch-{epoch}"
    out.mkdir(parents=True, exist_ok=True)
    with _service(service, key) as client, _progress("commit", len(states), quiet) as bar:
        for account_id, state in states:
            opening = _opening_for(state, out / f"{account_id}.opening.json")
            client.register_commitment(account_id, epoch, opening.commitment)
            bar.advance(bar.task_ids[0])
    typer.echo(f"registered {len(states)} commitments for epoch {epoch}; openings in {out}")


def register(app: typer.Typer) -> None:
    """Attach ``zkm oracle`` and ``zkm venue`` to the root app."""
    app.add_typer(oracle_app, name="oracle", help="The oracle's client verbs.")
    app.add_typer(venue_app, name="venue", help="The venue's client verbs.")
