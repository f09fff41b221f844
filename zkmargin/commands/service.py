"""``zkm serve``, ``zkm keys``, ``zkm submit``, ``zkm status``: the service and its client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

keys_app = typer.Typer(no_args_is_help=True)


@contextmanager
def _database(url: str) -> Iterator[sessionmaker[Session]]:
    """Open (and migrate) the database at ``url``; a bad URL is one line and exit 2."""
    from api.db import make_session_factory, open_database

    engine = open_database(url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (default: $ZKM_DATABASE_URL or sqlite:///./zkmargin.db)."
    ),
]
UrlOption = Annotated[str, typer.Option("--url", envvar="ZKM_URL", help="Service base URL.")]
KeyOption = Annotated[
    str, typer.Option("--key", envvar="ZKM_API_KEY", help="API key (or $ZKM_API_KEY).")
]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    db: DbOption = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (uvicorn).")] = 1,
    allow_unsafe_keys: Annotated[
        bool,
        typer.Option(
            "--allow-unsafe-keys",
            help="Accept circuits whose key is not a verified ceremony's (dev or uncontributed:"
            " someone may know the trapdoor). Demos only; such verdicts say UNSAFE.",
        ),
    ] = False,
    allow_unsigned_snapshots: Annotated[
        bool,
        typer.Option(
            "--allow-unsigned-snapshots",
            help="Accept snapshots posted without the risk desk's signed metadata (no"
            " signature, inputs or freshness check). Demos and tests only.",
        ),
    ] = False,
    ceremony_dir: Annotated[
        Path | None,
        typer.Option(
            "--ceremony-dir",
            help="Directory of ceremony files (.zkey, .r1cs, .ptau) the service verifies"
            " when a circuit registration names them.",
        ),
    ] = None,
) -> None:
    """Run the verifier service (migrates the database to the latest schema first)."""
    import os

    import uvicorn

    from api.db import open_database
    from api.main import create_app
    from api.settings import Settings

    overrides: dict[str, object] = {}
    if db:
        overrides["database_url"] = db
    if allow_unsafe_keys:
        overrides["allow_unsafe_keys"] = True
    if allow_unsigned_snapshots:
        overrides["allow_unsigned_snapshots"] = True
    if ceremony_dir is not None:
        overrides["ceremony_dir"] = str(ceremony_dir.resolve())
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if workers == 1:
        app = create_app(settings)
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
        return
    open_database(settings.database_url).dispose()
    # Workers build their app from the environment (rate limits and key caches are per worker).
    os.environ["ZKM_DATABASE_URL"] = settings.database_url
    os.environ["ZKM_ALLOW_UNSAFE_KEYS"] = "true" if settings.allow_unsafe_keys else "false"
    os.environ["ZKM_ALLOW_UNSIGNED_SNAPSHOTS"] = str(settings.allow_unsigned_snapshots).lower()
    if settings.ceremony_dir is not None:
        os.environ["ZKM_CEREMONY_DIR"] = settings.ceremony_dir
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
    )


@keys_app.command("create")
def create_key(
    role: Annotated[str, typer.Option(help="admin, oracle, venue, trader, clearing or auditor.")],
    account: Annotated[
        list[str] | None, typer.Option(help="Account a trader key may act for (repeatable).")
    ] = None,
    label: Annotated[str, typer.Option(help="Free-text label stored with the key.")] = "",
    db: DbOption = None,
    venue: Annotated[
        str | None, typer.Option(help="The venue a venue key acts for (required for venues).")
    ] = None,
    market: Annotated[
        list[str] | None,
        typer.Option(help="A market an oracle key serves (repeatable; required for oracles)."),
    ] = None,
) -> None:
    """Create an API key and print it once (only its SHA-256 is stored).

    Scopes: trader keys take --account, venue keys --venue, oracle keys --market.
    """
    from api.auth import KeyCreationError, Role
    from api.services.keys import issue_key
    from api.settings import Settings

    try:
        chosen = Role(role)
    except ValueError:
        raise KeyCreationError(
            f"unknown role {role!r}; choose one of {[r.value for r in Role]}"
        ) from None
    with _database(db or Settings().database_url) as sessions, sessions() as session:
        key = issue_key(
            session=session,
            role=chosen,
            accounts=list(account or []),
            label=label,
            venue=venue,
            markets=list(market or []),
        )
    typer.echo(key)


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key's public id (zkm_<key_id>_…).")],
    db: DbOption = None,
) -> None:
    """Revoke an API key: every worker of the service refuses it within key_cache_seconds."""
    from api.services.revocation import revoke_key as revoke
    from api.settings import Settings

    settings = Settings()
    with _database(db or settings.database_url) as sessions, sessions() as session:
        record, newly = revoke(
            session=session, key_id=key_id, revoked_by="operator", role="operator"
        )
        session.commit()
    state = "revoked" if newly else "already revoked"
    typer.echo(
        f"{state}: key {record.key_id} ({record.role}) at {record.revoked_at:%Y-%m-%dT%H:%M:%SZ};"
        f" refused by every worker within {settings.key_cache_seconds:g} s"
    )


def submit(
    account: Annotated[str, typer.Option(help="Account id.")],
    epoch: Annotated[int, typer.Option(help="Epoch.")],
    circuit: Annotated[str, typer.Option(help="Registered circuit id.")],
    proof: Annotated[Path, typer.Option(help="snarkjs proof.json.")],
    public: Annotated[Path, typer.Option(help="snarkjs public.json.")],
    url: UrlOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
) -> None:
    """Submit a margin proof; prints the verdict record. Exit 0 valid, 1 invalid, 2 refused."""
    from api.client import ZkmClient

    proof_obj = json.loads(proof.read_text())
    public_obj = json.loads(public.read_text())
    with ZkmClient(url, key) as client:
        record = client.submit_proof(account, epoch, circuit, proof_obj, public_obj)
    typer.echo(record.model_dump_json(indent=2))
    if record.verdict.warning is not None:
        typer.secho(record.verdict.warning, fg="yellow", err=True)
    raise typer.Exit(0 if record.valid else 1)


def status(
    account: Annotated[str, typer.Option(help="Account id.")],
    epoch: Annotated[int, typer.Option(help="Epoch.")],
    url: UrlOption = "http://127.0.0.1:8000",
    key: KeyOption = "",
) -> None:
    """Ask whether an account is compliant at an epoch. Exit 0 compliant, 1 otherwise."""
    from api.client import ZkmClient

    with ZkmClient(url, key) as client:
        answer = client.status(account, epoch)
    typer.echo(answer.model_dump_json(indent=2))
    if answer.verdict.warning is not None:
        typer.secho(answer.verdict.warning, fg="yellow", err=True)
    raise typer.Exit(0 if answer.status == "compliant" else 1)


def register(app: typer.Typer) -> None:
    """Attach the service commands to the root app."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys", help="Create API keys for the service.")
    app.command("submit")(submit)
    app.command("status")(status)
