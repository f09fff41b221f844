"""Entry point of ``zkm``: a Typer app whose sub-apps live in :mod:`zkmargin.commands`.

Imports stay lazy (each command imports its heavy modules inside the function) so
that ``zkm groth16 prove`` starts fast. Any :class:`algebra.errors.ZkError` becomes
one red line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from zkmargin.commands import register_all

app = typer.Typer(
    name="zkm",
    help="zkmargin: zero-knowledge margin-compliance proofs (Groth16/BN254, snarkjs-compatible).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
register_all(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: 0 ok, 1 'invalid' verdicts, 2 bad input.

    Usage errors are Typer's own (exit 2 with a usage line); a :class:`ZkError` or an
    unreadable file becomes one red line and exit 2.
    """
    from algebra.errors import ZkError

    try:
        app(args=argv, prog_name="zkm", standalone_mode=True)
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except ZkError as error:
        _error_line(str(error))
        return 2
    except OSError as error:
        _error_line(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return 2
    return 0


def _error_line(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)


if __name__ == "__main__":
    sys.exit(main())
