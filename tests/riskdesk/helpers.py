"""Shared inputs of the risk desk tests: the shipped synthetic data set and variants of it."""

from __future__ import annotations

import itertools
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

from zkmargin.riskdesk.loading import load_market, load_policy
from zkmargin.riskdesk.schemas import MarketData, Policy

DATA = Path(__file__).resolve().parents[2] / "data" / "riskdesk"
MARKET = DATA / "market.json"
MARKET_TINY = DATA / "market-tiny.json"
POLICY = DATA / "policy.json"
POLICY_TINY = DATA / "policy-tiny.json"
POLICY_GARCH = DATA / "policy-garch.json"
HISTORY = DATA / "history.csv"


@cache
def raw(path: Path) -> dict[str, Any]:
    """Return the parsed JSON of a shipped file (a fresh copy is made by callers)."""
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def market(path: Path = MARKET) -> MarketData:
    """Return the validated shipped market data."""
    return load_market(path)


def policy(path: Path = POLICY) -> Policy:
    """Return the validated shipped policy."""
    return load_policy(path)


def edited(path: Path, **changes: Any) -> dict[str, Any]:
    """Return a deep copy of a shipped document with top-level keys replaced."""
    document: dict[str, Any] = json.loads(json.dumps(raw(path)))
    document.update(changes)
    return document


def scaled_returns(closes: list[float], factor: float) -> list[float]:
    """Return closes whose log returns are ``factor`` × those of ``closes`` (same start)."""
    out = [closes[0]]
    for a, b in itertools.pairwise(closes):
        out.append(out[-1] * math.exp(factor * math.log(b / a)))
    return out
