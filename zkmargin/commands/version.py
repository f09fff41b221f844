"""``zkm version``: the package version and, for bug reports, what the native code runs."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from typing import Annotated

import typer


def native_report() -> dict[str, object]:
    """Return the native build's description: build, kernels in use, CPU features detected.

    Raises:
        BackendUnavailableError: the native extension is not installed.
    """
    import algebra.native_backend  # noqa: F401  (raises BackendUnavailableError if unbuilt)
    from algebra.native_build import build_name, load_native

    info = dict(load_native().build_info())
    info["build"] = build_name()
    return info


def package_version() -> str:
    """The installed distribution's version (``unknown`` when run from a source tree)."""
    try:
        return metadata.version("zkmargin")
    except metadata.PackageNotFoundError:
        return "unknown"


def version(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Print zkmargin's version, the backend, the native build and kernels, and CPU features."""
    import os

    from algebra.errors import BackendUnavailableError

    report: dict[str, object] = {
        "zkmargin": package_version(),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "backend": os.environ.get("ZKM_BACKEND") or "native",
    }
    try:
        report["native"] = native_report()
    except BackendUnavailableError as error:
        report["native"] = {"error": str(error)}
    if as_json:
        typer.echo(json.dumps(report, sort_keys=True))
        return
    native = report.pop("native")
    for key, value in report.items():
        typer.echo(f"{key}: {value}")
    assert isinstance(native, dict)
    if "error" in native:
        typer.echo(f"native: unavailable ({native['error']})")
        return
    typer.echo(f"native build: {native['build']} ({native['target_arch']})")
    typer.echo(f"  field arithmetic: {native['field_arithmetic']}")
    typer.echo(f"  batch scalar multiplication: {native['batch_scalar_mul']}")
    typer.echo(f"  compiled for: {', '.join(_names(native['compiled_features'])) or 'baseline'}")
    typer.echo(f"  CPU features detected: {', '.join(_names(native['cpu_features'])) or 'none'}")
    forced = " (ZKM_NATIVE_CPU=portable)" if native["forced_portable"] else ""
    typer.echo(f"  portable forced: {bool(native['forced_portable'])}{forced}")
    typer.echo(f"  threads: {native['threads']}")


def _names(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def register(app: typer.Typer) -> None:
    """Attach ``zkm version``."""
    app.command("version")(version)
