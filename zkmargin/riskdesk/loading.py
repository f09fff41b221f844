"""Read market data, policies and price histories from files, refusing bad input in one line."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from circuits.margin.loading import describe
from zkmargin.riskdesk.errors import RiskInputError
from zkmargin.riskdesk.schemas import MarketData, Policy

M = TypeVar("M", bound=BaseModel)


def load_market(source: Path | dict[str, Any]) -> MarketData:
    """Return the validated market data in ``source`` (a JSON file or a parsed object)."""
    return _load(MarketData, source, "market data")


def load_policy(source: Path | dict[str, Any]) -> Policy:
    """Return the validated policy in ``source`` (a JSON file or a parsed object)."""
    return _load(Policy, source, "policy")


def read_json(path: Path, what: str) -> Any:
    """Return the parsed JSON in ``path``; RiskInputError if unreadable or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RiskInputError(f"{what}: cannot read {path}: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise RiskInputError(f"{what}: {path} is not valid JSON ({error})") from None


def _load(model: type[M], source: Path | dict[str, Any], what: str) -> M:
    obj = read_json(source, what) if isinstance(source, Path) else source
    if not isinstance(obj, dict):
        raise RiskInputError(f"{what}: expected a JSON object")
    try:
        return model.model_validate(obj)
    except ValidationError as error:
        raise RiskInputError(f"{what}: {describe(error)}") from None


@dataclass(frozen=True)
class PriceHistory:
    """Daily closes of several assets on common dates (oldest first)."""

    dates: list[str]
    closes: dict[str, list[float]]


def load_history(path: Path) -> PriceHistory:
    """Return the history in a CSV with a ``date`` column and one column of closes per asset."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise RiskInputError(f"history: cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise RiskInputError(f"history: {path} is not UTF-8 text") from None
    if len(rows) < 2 or not rows[0] or rows[0][0] != "date" or len(rows[0]) < 2:
        raise RiskInputError("history: expected a header 'date,ASSET,...' and data rows")
    header = rows[0]
    closes: dict[str, list[float]] = {name: [] for name in header[1:]}
    dates = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise RiskInputError(f"history: line {number} has {len(row)} fields, not {len(header)}")
        dates.append(row[0])
        for name, cell in zip(header[1:], row[1:], strict=True):
            closes[name].append(_positive(cell, number, name))
    return PriceHistory(dates, closes)


def _positive(cell: str, line: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise RiskInputError(f"history: line {line} {column}: {cell!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise RiskInputError(f"history: line {line} {column}: close must be positive and finite")
    return value
