"""Entry point of ``zkm``: a Typer app whose sub-apps live in :mod:`zkmargin.commands`.

Imports stay lazy so that the provers start fast: each command imports its heavy
modules inside the function, the Typer app is built on first use (module attribute
``app``), and the two proving commands in their plain forms — ``zkm groth16 prove
<zkey> <wtns> <proof> <public> [--backend NAME]`` and ``zkm margin prove <opening>
<snapshot> --keys DIR --out DIR [--kind K] [--buffer B] [--terms FILE]`` — skip Typer
altogether (building the app imports Typer, pydantic and every command module, about
0.06–0.15 s); anything else — help, other options, other verbs, a missing option — goes
through Typer, which also owns the usage errors. Any :class:`algebra.errors.ZkError`
becomes one red line on stderr and exit code 2, never a traceback.
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


def _plain_arguments(
    argv: list[str], verb: list[str], n_positional: int, options: frozenset[str]
) -> tuple[list[str], dict[str, str]] | None:
    """Split ``verb + argv`` into positionals and ``--option value`` pairs, or return None.

    None (leave it to Typer) when the verb differs, an option is not one of ``options``
    or lacks its value, an option repeats, or the positional count is not ``n_positional``.
    """
    if argv[: len(verb)] != verb:
        return None
    positionals: list[str] = []
    values: dict[str, str] = {}
    rest = iter(argv[len(verb) :])
    for arg in rest:
        if arg.startswith("--"):
            name, equals, value = arg.partition("=")
            if not equals:
                following = next(rest, None)
                if following is None:
                    return None
                value = following
            if name not in options or name in values:
                return None
            values[name] = value
        elif arg.startswith("-") and arg != "-":
            return None
        else:
            positionals.append(arg)
    if len(positionals) != n_positional:
        return None
    return positionals, values


def fast_prove_arguments(argv: list[str]) -> tuple[Path, Path, Path, Path, str | None] | None:
    """Return ``(zkey, wtns, proof, public, backend)`` for a plain ``groth16 prove``, else None."""
    plain = _plain_arguments(argv, ["groth16", "prove"], 4, frozenset({"--backend"}))
    if plain is None:
        return None
    paths, values = plain
    return Path(paths[0]), Path(paths[1]), Path(paths[2]), Path(paths[3]), values.get("--backend")


MARGIN_PROVE_OPTIONS = frozenset({"--keys", "--out", "--kind", "--buffer", "--terms"})
"""The options of ``zkm margin prove`` (``zkmargin.commands.margin.prove_command``)."""


def fast_margin_prove_arguments(argv: list[str]) -> dict[str, Any] | None:
    """Return :func:`~zkmargin.commands.margin_prove.prove_margin_files`'s arguments for a
    plain ``margin prove`` with ``--keys`` and ``--out``, else None."""
    plain = _plain_arguments(argv, ["margin", "prove"], 2, MARGIN_PROVE_OPTIONS)
    if plain is None:
        return None
    paths, values = plain
    if "--keys" not in values or "--out" not in values:
        return None
    terms = values.get("--terms")
    return {
        "opening": Path(paths[0]),
        "snapshot": Path(paths[1]),
        "keys": Path(values["--keys"]),
        "out": Path(values["--out"]),
        "kind": values.get("--kind", "maintenance"),
        "buffer": values.get("--buffer", "1"),
        "terms": Path(terms) if terms is not None else None,
    }


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
        margin = fast_margin_prove_arguments(args)
        if margin is not None:
            from zkmargin.commands.margin_prove import prove_margin_files

            print(prove_margin_files(**margin))
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
