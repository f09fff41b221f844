"""Compiled tiny ``SolvencyChunk`` circuits and random venues (compliant, under-margined and
bankrupt accounts) for the solvency tests."""

from __future__ import annotations

import random
from functools import lru_cache

from algebra.errors import UnsatisfiedConstraintError
from circuits.errors import HintError
from circuits.frontend import Assignment, CompiledCircuit, compile
from circuits.margin.commitment import commit
from circuits.margin.model import AccountState, MarketSnapshot, Opening
from circuits.margin.reference import margin_report
from circuits.margin.sample import sample_account, sample_snapshot
from circuits.margin.sizes import TINY
from circuits.solvency.circuit import SolvencyChunk, solvency_params


@lru_cache(maxsize=4)
def tiny_chunk(chunk: int) -> CompiledCircuit:
    """The compiled tiny SolvencyChunk with ``chunk`` slots (once per session)."""
    return compile(SolvencyChunk, solvency_params(TINY, chunk))


@lru_cache(maxsize=4)
def tiny_snapshot(epoch: int = 1) -> MarketSnapshot:
    """A realistic tiny snapshot of ``epoch`` (fixed seed)."""
    return sample_snapshot(TINY, random.Random(7), epoch=epoch)


def bankrupt_account(snapshot: MarketSnapshot, rng: random.Random) -> AccountState:
    """Return an account whose equity is negative (its cash pushed below its losses)."""
    account = sample_account(snapshot, rng, compliant=False)
    equity = margin_report(account, snapshot).equity
    balances = list(account.balances)
    balances[0] -= equity + rng.randint(1, 10**12)
    return AccountState(positions=account.positions, balances=balances)


def random_openings(snapshot: MarketSnapshot, n: int, seed: int) -> list[Opening]:
    """Return ``n`` openings cycling compliant, under-margined and bankrupt accounts."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        if k % 3 == 2:
            state = bankrupt_account(snapshot, rng)
        else:
            state = sample_account(snapshot, rng, compliant=k % 3 == 0)
        out.append(commit(state))
    return out


def check_circuit_refuses(compiled: CompiledCircuit, assignment: Assignment) -> None:
    """Assert the solver refuses ``assignment`` and the R1CS refuses its unchecked witness
    (``circuits.testing.check_circuit``'s invalid direction, on an already compiled circuit)."""
    try:
        compiled.solve(assignment)
    except (UnsatisfiedConstraintError, HintError):
        pass
    else:
        raise AssertionError("the solver accepted an invalid assignment")
    witness = compiled.solve(assignment, check=False)
    assert compiled.r1cs.which_is_unsatisfied(witness) is not None
