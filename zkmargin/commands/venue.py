"""``zkm oracle post`` and ``zkm venue commit``: the oracle's and venue's client verbs.

Both are thin over :class:`api.client.ZkmClient`, idempotent and resumable: the service
answers 200 to a repeated identical write, and ``venue commit`` writes each trader's
opening *before* registering its commitment and reuses it on a re-run, so an interrupted
run simply continues. Openings (state + salt) stay on the venue's disk; nothing prints them.

Under the service's tenancy the admin opens epochs and enrols each venue's accounts:
``venue commit`` checks the epoch is open before writing anything and registers every
enrolled account, then names the ones not enrolled (a re-run after enrolment finishes).
``oracle post`` sends the risk desk's signed metadata, market inputs and policy beside the
snapshot; ``oracle register-signer`` is the admin's step tying the oracle's Ed25519 key to
its API key (``oracle revoke-signer`` retires it), and ``oracle provenance`` fetches what
anyone needs to re-check a snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from algebra.errors import ZkError

if TYPE_CHECKING:
    from circuits.margin.model import AccountState, Opening


class ServiceUnreachableError(ZkError):
    """The service could not be reached (connection refused, timeout, bad URL)."""


class EpochClosedError(ZkError):
    """The epoch is not open at the service (the admin opens epochs)."""


class NotEnrolledError(ZkError):
    """Some accounts are not enrolled to the venue of the key (the admin enrols them)."""


class SignerArgumentError(ZkError):
    """The signer named is neither a signing key id nor a readable public key file."""


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


def _signed_for(
    snapshot: Path,
    market: Path | None,
    policy: Path | None,
    signature: Path | None,
    unsigned: bool,
) -> dict[str, Any] | None:
    """Return the ``signed`` part of ``snapshot``'s post (None with ``--unsigned``)."""
    from zkmargin.riskdesk.errors import RiskInputError
    from zkmargin.riskdesk.publication import signed_parts

    if unsigned:
        return None
    meta = signature or snapshot.with_name(snapshot.name.removesuffix(".json") + ".sig.json")
    if not meta.exists():
        raise RiskInputError(
            f"no signed metadata {meta.name} beside {snapshot.name}: sign it (zkm riskdesk"
            " build --sign) or pass --unsigned for a service that allows unsigned snapshots"
        )
    if market is None or policy is None:
        raise RiskInputError(
            f"{snapshot.name} is signed: give --market and --policy, the inputs it was built"
            " from (the service keeps and serves them)"
        )
    return signed_parts(meta, market, policy)


@oracle_app.command("post")
def post_command(
    snapshots: Annotated[
        list[Path], typer.Argument(help="snapshot JSON files", show_default=False)
    ],
    market: Annotated[
        Path | None, typer.Option("--market", help="market data the snapshot was built from")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="policy the snapshot was built under")
    ] = None,
    signature: Annotated[
        Path | None,
        typer.Option("--signature", help="signed metadata (default SNAPSHOT.sig.json)"),
    ] = None,
    unsigned: Annotated[
        bool,
        typer.Option("--unsigned", help="post without signature (services that allow it only)"),
    ] = False,
    service: ServiceOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
    quiet: QuietOption = False,
) -> None:
    """Post each snapshot for its epoch with its signed metadata, market inputs and policy
    (already posted and identical: skipped as done)."""
    from circuits.margin.loading import load_snapshot

    if len(snapshots) > 1 and not unsigned:
        raise typer.BadParameter("post one signed snapshot at a time (its own --market, --policy)")
    loaded = [
        (load_snapshot(path), _signed_for(path, market, policy, signature, unsigned))
        for path in snapshots
    ]
    lines = []
    with _service(service, key) as client, _progress("post", len(loaded), quiet) as bar:
        for snapshot, signed in loaded:
            posted = client.post_snapshot(snapshot.epoch, snapshot.model_dump(mode="json"), signed)
            signer = "" if signed is None else f", signed by {signed['metadata']['signer_key_id']}"
            lines.append(f"epoch {posted.epoch}: snapshot hash {posted.snapshot_hash}{signer}")
            bar.advance(bar.task_ids[0])
    typer.echo("\n".join(lines))


@oracle_app.command("register-signer")
def register_signer_command(
    public_key: Annotated[
        Path, typer.Argument(help="the oracle's Ed25519 public key PEM", show_default=False)
    ],
    oracle_key_id: Annotated[
        str,
        typer.Option(
            "--oracle-key-id", help="id of the oracle's API key (zkm_<ID>_…)", show_default=False
        ),
    ],
    service: ServiceOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
) -> None:
    """(Admin) tie the oracle's signing key to its API key: the service then accepts
    snapshots signed by it only from that oracle key (idempotent)."""
    from zkmargin.riskdesk.signing import read_key_file

    pem = read_key_file(public_key, "public key").decode("utf-8", errors="replace")
    with _service(service, key) as client:
        record = client.register_signing_key(oracle_key_id, pem)
    markets = ", ".join(record.markets) or "no market"
    typer.echo(
        f"signing key {record.signer_key_id} registered for oracle key {record.api_key_id}"
        f" ({markets})"
    )


@oracle_app.command("revoke-signer")
def revoke_signer_command(
    signer: Annotated[
        str,
        typer.Argument(
            help="the signing key's id (32 hex digits) or its public key PEM file",
            show_default=False,
        ),
    ],
    service: ServiceOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
) -> None:
    """(Admin) revoke a leaked or retired signing key: the service accepts no snapshot
    signed by it from now on (idempotent; register the oracle's new key first)."""
    signer_key_id = _signer_key_id(signer)
    with _service(service, key) as client:
        record = client.revoke_signing_key(signer_key_id)
    assert record.revoked_at is not None
    typer.echo(
        f"signing key {record.signer_key_id} of oracle key {record.api_key_id} revoked at"
        f" {record.revoked_at:%Y-%m-%dT%H:%M:%SZ} by {record.revoked_by}"
    )


def _signer_key_id(signer: str) -> str:
    """Return the key id ``signer`` names: itself (32 hex digits) or its public key file's."""
    import re

    from zkmargin.riskdesk.signing import key_id, read_key_file

    if re.fullmatch(r"[0-9a-f]{32}", signer):
        return signer
    path = Path(signer)
    if not path.is_file():
        raise SignerArgumentError(
            f"{signer} is neither a signing key id (32 hex digits) nor a public key file"
        )
    return key_id(read_key_file(path, "public key"))


@oracle_app.command("provenance")
def provenance_command(
    epoch: Annotated[int, typer.Argument(min=0, max=2**62, show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="directory to write")] = Path("published"),
    service: ServiceOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
) -> None:
    """Fetch an epoch's snapshot with its signed metadata, signer key, market inputs and
    policy, as files ``zkm riskdesk check`` and ``verify-signature`` take."""
    from zkmargin.riskdesk.canonical import canonical_json
    from zkmargin.riskdesk.publication import write_provenance

    with _service(service, key) as client:
        snapshot = client.get_snapshot(epoch)
        provenance = client.snapshot_provenance(epoch)
    out.mkdir(parents=True, exist_ok=True)
    (out / "snapshot.json").write_bytes(canonical_json(snapshot.snapshot) + b"\n")
    written = write_provenance(out, provenance.model_dump(mode="json"))
    if not provenance.signed:
        typer.echo(f"epoch {epoch}: snapshot written to {out}; it was posted UNSIGNED")
        return
    typer.echo(
        f"epoch {epoch}: snapshot signed by {provenance.signer_key_id}; wrote snapshot.json, "
        + ", ".join(p.name for p in written)
        + f" to {out}"
    )


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
    missing: list[str] = []
    with _service(service, key) as client, _progress("commit", len(states), quiet) as bar:
        _require_open(client, epoch)
        for account_id, state in states:
            opening = _opening_for(state, out / f"{account_id}.opening.json")
            if not _register(client, account_id, epoch, opening.commitment):
                missing.append(account_id)
            bar.advance(bar.task_ids[0])
    if missing:
        raise NotEnrolledError(
            f"{len(missing)} of {len(states)} accounts are not enrolled to this key's venue"
            f" ({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''}): the admin enrols"
            " them (POST /v1/venues/VENUE/accounts); then re-run, the others are done"
        )
    typer.echo(f"registered {len(states)} commitments for epoch {epoch}; openings in {out}")


def _require_open(client: ZkmClient, epoch: int) -> None:
    """Stop before any opening is written if the admin has not opened ``epoch``."""
    from api.client import ServiceCallError

    try:
        client.get_epoch(epoch)
    except ServiceCallError as error:
        if error.status_code != 404:
            raise
        raise EpochClosedError(
            f"epoch {epoch} is not open: the admin opens it (POST /v1/epochs) first"
        ) from None


def _register(client: ZkmClient, account_id: str, epoch: int, commitment: int) -> bool:
    """Register ``C``; False if the account is not enrolled to the key's venue (404)."""
    from api.client import ServiceCallError

    try:
        client.register_commitment(account_id, epoch, commitment)
    except ServiceCallError as error:
        if error.status_code == 404:
            return False
        raise
    return True


def register(app: typer.Typer) -> None:
    """Attach ``zkm oracle`` and ``zkm venue`` to the root app."""
    app.add_typer(oracle_app, name="oracle", help="The oracle's client verbs.")
    app.add_typer(venue_app, name="venue", help="The venue's client verbs.")
