"""Entry point of ``zkm``: a Typer app whose sub-apps live in :mod:`zkmargin.commands`.

Imports stay lazy so that ``zkm groth16 prove`` starts fast: each command imports its
heavy modules inside the function, the Typer app is built on first use (module
attribute ``app``), and a plain ``zkm groth16 prove <zkey> <wtns> <proof> <public>
[--backend NAME]`` skips Typer altogether (Typer coerces parameters through pydantic,
about 0.15 s of imports); anything else — help, other options, other verbs — goes
through Typer. Any :class:`algebra.errors.ZkError` becomes one red line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

_built: list[typer.Typer] = []


def get_app() -> typer.Typer:
    """Return the ``zkm`` Typer app (built once, on first use)."""
    if not _built:
        import typer

        from zkmargin.commands import register_all

        app = typer.Typer(
            name="zkm",
            help=(
                "zkmargin: zero-knowledge margin-compliance proofs "
                "(Groth16/BN254, snarkjs-compatible)."
            ),
            no_args_is_help=True,
            add_completion=False,
            pretty_exceptions_enable=False,
        )
        register_all(app)
        _built.append(app)
    return _built[0]


def __getattr__(name: str) -> Any:
    if name == "app":
        return get_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def fast_prove_arguments(argv: list[str]) -> tuple[Path, Path, Path, Path, str | None] | None:
    """Return ``(zkey, wtns, proof, public, backend)`` for a plain ``groth16 prove``, else None."""
    if argv[:2] != ["groth16", "prove"]:
        return None
    paths: list[Path] = []
    backend: str | None = None
    rest = iter(argv[2:])
    for arg in rest:
        if arg == "--backend":
            backend = next(rest, None)
            if backend is None:
                return None
        elif arg.startswith("--backend="):
            backend = arg.removeprefix("--backend=")
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            paths.append(Path(arg))
    if len(paths) != 4:
        return None
    return paths[0], paths[1], paths[2], paths[3], backend


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: 0 ok, 1 'invalid' verdicts, 2 bad input.

    Usage errors are Typer's own (exit 2 with a usage line); a :class:`ZkError` or an
    unreadable file becomes one red line and exit 2.
    """
    from algebra.errors import ZkError

    args = sys.argv[1:] if argv is None else list(argv)
    try:
        fast = fast_prove_arguments(args)
        if fast is not None:
            from zkmargin.commands.groth16_prove import prove_files

            prove_files(*fast)
            return 0
        get_app()(args=args, prog_name="zkm", standalone_mode=True)
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except ZkError as error:
        _error_line(str(error))
        return 2
    except ModuleNotFoundError as error:
        from zkmargin.extras import missing_extra_message

        message = missing_extra_message(error, _verb(args))
        if message is None:
            raise
        _error_line(message)
        return 2
    except OSError as error:
        _error_line(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return 2
    return 0


def _verb(args: list[str]) -> str:
    """The command words of ``args`` (up to the first option or argument that is a path)."""
    words: list[str] = []
    for arg in args[:2]:
        if arg.startswith("-") or "/" in arg or "." in arg:
            break
        words.append(arg)
    return " ".join(words)


def _error_line(message: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    # Escaped: messages hold brackets ("zkmargin[service]") that rich would read as markup.
    Console(stderr=True).print(
        f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True
    )


if __name__ == "__main__":
    sys.exit(main())
