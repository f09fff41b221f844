"""The work behind ``zkm margin prove``, importable without Typer (the CLI's fast path).

The trader runs this command once per epoch on a laptop, so its start-up counts: the key
starts loading on a second core before anything else is imported, and nothing here
imports Typer, rich (only for a spinner on a terminal) or numpy.
"""

from __future__ import annotations

import contextlib
import json
import sys
from contextlib import AbstractContextManager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any


def parse_buffer(text: str) -> int:
    """Return the ppm of a buffer ratio such as ``1.25`` (≥ 1, at most 6 decimals)."""
    from circuits.margin.errors import MarginInputError
    from circuits.margin.statement import check_statement

    try:
        ppm = Decimal(text) * 1_000_000
    except InvalidOperation:
        raise MarginInputError(f"--buffer must be a ratio such as 1.25, got {text!r}") from None
    if ppm != ppm.to_integral_value():
        raise MarginInputError(f"--buffer {text} has more than 6 decimals")
    check_statement(0, int(ppm))
    return int(ppm)


def status(message: str) -> AbstractContextManager[Any]:
    """A spinner with ``message`` on stderr while the block runs, when stderr is a terminal."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def prove_margin_files(
    opening: Path,
    snapshot: Path,
    keys: Path,
    out: Path,
    kind: str = "maintenance",
    buffer: str = "1",
    terms: Path | None = None,
) -> str:
    """Prove that the committed account of ``opening`` meets ``kind`` × ``buffer`` at
    ``snapshot``; write ``out/proof.json`` and ``out/public.json`` and return a summary line.

    Notices (a rebuilt solve program, unusable ``terms``) go to stderr.

    Raises:
        ZkError: bad inputs, keys or terms; :class:`~circuits.margin.errors.NotCompliantError`
            when the account does not meet the requirement (no proof exists).
        OSError: an input is unreadable or the output directory unwritable.
    """
    from zkmargin.margin.preload import MARGIN_ZKEY_NAME, KeyPreload

    # The key loads while the inputs are read and solved; an error meanwhile waits for it.
    with KeyPreload(keys / MARGIN_ZKEY_NAME) as preload:
        from circuits.margin.loading import load_opening, load_snapshot
        from circuits.margin.statement import parse_kind
        from verifier.snarkjs_json import proof_to_json, public_inputs_to_json
        from zkmargin.margin.terms import load_prover_terms
        from zkmargin.margin.workflow import prove_margin

        market = load_snapshot(snapshot)
        parsed = load_opening(opening, market)
        published = load_prover_terms(terms) if terms is not None else None
        with status("solving the witness and proving"):
            proof, public = prove_margin(
                parsed, market, keys, parse_kind(kind), parse_buffer(buffer),
                notice=lambda line: print(line, file=sys.stderr), preload=preload,
                terms=published,
            )  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    (out / "proof.json").write_text(json.dumps(proof_to_json(proof), indent=1) + "\n")
    (out / "public.json").write_text(json.dumps(public_inputs_to_json(public), indent=1) + "\n")
    return f"wrote {out / 'proof.json'} and {out / 'public.json'}"
