"""Entry point of ``zkm``: a Typer app whose sub-apps live in :mod:`zkmargin.commands`.

Imports stay lazy (each command imports its heavy modules inside the function) so
that ``zkm groth16 prove`` starts fast. Any :class:`algebra.errors.ZkError` becomes
one red line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import click
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
    """Run the CLI and return its exit code: 0 ok, 1 'invalid' verdicts, 2 bad input."""
    from algebra.errors import ZkError

    try:
        result = app(args=argv, standalone_mode=False)
    except ZkError as error:
        _error_line(str(error))
        return 2
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return 2
    except click.exceptions.Abort:
        _error_line("aborted")
        return 2
    except OSError as error:
        _error_line(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        return 2
    return int(result) if isinstance(result, int) else 0


def _error_line(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)


if __name__ == "__main__":
    sys.exit(main())
