"""Load snapshots, states and openings from JSON files or objects, refusing bad input.

Every failure becomes one :class:`MarginInputError` line naming the field, e.g.
``snapshot: instruments[0].mark_price: Input should be less than or equal to 18446744073709551615``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from circuits.margin.errors import MarginInputError
from circuits.margin.model import AccountState, MarketSnapshot, Opening

Source = str | Path | dict[str, Any] | BaseModel
"""A JSON file path, a parsed JSON object, or an already validated model."""

M = TypeVar("M", bound=BaseModel)


def load_snapshot(source: Source) -> MarketSnapshot:
    """Return the validated snapshot from ``source``; MarginInputError on any defect."""
    return _load(MarketSnapshot, source, "snapshot")


def load_state(source: Source, snapshot: MarketSnapshot | None = None) -> AccountState:
    """Return the validated state; with ``snapshot``, also check the slot counts match."""
    state = _load(AccountState, source, "state")
    if snapshot is not None:
        check_state_matches(state, snapshot)
    return state


def check_state_matches(state: AccountState, snapshot: MarketSnapshot) -> None:
    """Raise MarginInputError unless ``state`` has the snapshot's slot counts."""
    try:
        state.check_matches(snapshot)
    except ValueError as error:
        raise MarginInputError(f"state: {error}") from None


def load_opening(source: Source, snapshot: MarketSnapshot | None = None) -> Opening:
    """Return the validated opening after checking its commitment opens to its state and salt."""
    from circuits.margin.commitment import state_commitment

    opening = _load(Opening, source, "opening")
    if snapshot is not None:
        check_state_matches(opening.state, snapshot)
    if state_commitment(opening.state, opening.salt) != opening.commitment:
        raise MarginInputError("opening: commitment does not match Poseidon(salt, state)")
    return opening


def _load(model: type[M], source: Source, what: str) -> M:
    if isinstance(source, model):
        return source
    if isinstance(source, BaseModel):
        source = source.model_dump()
    if isinstance(source, str | Path):
        source = _read_json(Path(source), what)
    if not isinstance(source, dict):
        raise MarginInputError(f"{what}: expected a JSON object, got {type(source).__name__}")
    try:
        return model.model_validate(source)
    except ValidationError as error:
        raise MarginInputError(f"{what}: {describe(error)}") from None


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MarginInputError(f"{what}: cannot read {path}: {error.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MarginInputError(f"{what}: {path} is not valid JSON ({error})") from None


def describe(error: ValidationError) -> str:
    """Return ``path: message`` of the first validation error (``+ k more`` if several)."""
    first = error.errors()[0]
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]
    ).lstrip(".")
    message = str(first["msg"]).removeprefix("Value error, ")
    more = error.error_count() - 1
    suffix = f" (+{more} more)" if more else ""
    return f"{location or 'value'}: {message}{suffix}"


def dump_json(model: BaseModel) -> str:
    """Return ``model`` as indented JSON text (the format the loaders read)."""
    return model.model_dump_json(indent=2) + "\n"
