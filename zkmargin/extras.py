"""Which optional extra of zkmargin provides a module, for one-line "install X" errors.

``pip install zkmargin`` is the trader's install; the service and Dask stacks are the
extras ``zkmargin[service]`` and ``zkmargin[audit]`` (``[all]`` has both). A verb that
imports a module of a missing extra fails with :func:`missing_extra_message`'s line and
exit code 2 (``zkmargin.cli.main``), never a traceback.
"""

from __future__ import annotations

# Top-level module -> the extra that installs it.
EXTRA_OF_MODULE = {
    "fastapi": "service",
    "starlette": "service",
    "uvicorn": "service",
    "httptools": "service",
    "uvloop": "service",
    "sqlalchemy": "service",
    "alembic": "service",
    "psycopg": "service",
    "pydantic_settings": "service",
    "httpx": "service",
    "cryptography": "riskdesk",
    "scipy": "riskdesk",
    "eth_account": "onchain",
    "eth_utils": "onchain",
    "dask": "audit",
    "distributed": "audit",
}


def missing_extra_message(error: ModuleNotFoundError, command: str) -> str | None:
    """Return the one-line error naming the extra that provides the missing module, or None.

    None means the module belongs to no extra: a broken install, reported as it is.
    """
    top = (error.name or "").partition(".")[0]
    extra = EXTRA_OF_MODULE.get(top)
    if extra is None:
        return None
    verb = f"`zkm {command}`" if command else "this command"
    return (
        f"{verb} needs the optional dependencies of zkmargin[{extra}] "
        f"(missing module {top!r}): pip install 'zkmargin[{extra}]'"
    )
