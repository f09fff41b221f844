"""Shared compiled tiny margin circuit and example accounts for the circuit tests."""

from __future__ import annotations

from functools import lru_cache

from circuits.frontend import CompiledCircuit, compile
from circuits.margin.circuit import MarginCircuit, margin_params
from circuits.margin.commitment import state_commitment
from circuits.margin.model import AccountState, MarketSnapshot, Opening
from circuits.margin.sizes import TINY, pad_snapshot, pad_state
from tests.margin.helpers import coll, inst, snap, state

FIXED_SALT = 12345678901234567890


@lru_cache(maxsize=1)
def tiny_circuit() -> CompiledCircuit:
    """The compiled tiny MarginCircuit (compiled once per test session)."""
    return compile(MarginCircuit, margin_params(TINY))


def example_snapshot() -> MarketSnapshot:
    """A tiny snapshot: a tiered perp, an option margined by scenarios, a tiered-haircut asset
    and a plain one with a liability weight."""
    perp = inst(
        scale=100, mark=50_000, funding_index=300_001,
        mm=[(10_000, 0), (20_000, 5_000)], im=[(20_000, 0), (40_000, 10_000)],
        risk=[10, -10, 30, -30],
    )  # fmt: skip
    option = inst(scale=10, mark=700, risk=[50, -30, 150, -20], som=40, kind="option")
    btc = coll(price=60_000, scale=1000, haircuts=[(950_000, 0), (800_000, 3_000)])
    usd = coll(price=1, scale=1, liability=1_100_000)
    return pad_snapshot(snap([perp, option], [btc, usd]), TINY)


def opening_for(account: AccountState, salt: int = FIXED_SALT) -> Opening:
    """Return the opening of ``account`` padded to the tiny size, with a fixed salt."""
    padded = pad_state(account, TINY)
    return Opening(state=padded, salt=salt, commitment=state_commitment(padded, salt))


def example_account(cash: int = 400_000) -> AccountState:
    """A long perp (in its second tier), short options, BTC deposit and ``cash`` USD."""
    return state([(3_000, -1_400_000, 100), (-20, 9_000, 0)], [2_000, cash])
