"""Build ``MarginCircuit`` assignments from an opening and a snapshot (on the trader's machine).

The assignment holds the trader's positions and salt: it must never leave their machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import NotCompliantError
from circuits.margin import option_charges, rounding
from circuits.margin.commitment import snapshot_domain, snapshot_encoding_with, tier_hash
from circuits.margin.extensions import feature_mask
from circuits.margin.loading import check_state_matches
from circuits.margin.model import MarketSnapshot, Opening
from circuits.margin.reference import is_compliant, margin_report
from circuits.margin.size_rates import size_feature_assignment
from circuits.margin.statement import (
    REQUIREMENT_INITIAL,
    REQUIREMENT_MAINTENANCE,
    MarginPublicInputs,
    check_statement,
    kind_name,
)
from circuits.std.poseidon_reference import poseidon_sponge

Assignment = dict[str, int | list[int]]


@dataclass(frozen=True)
class SnapshotHashes:
    """A snapshot's hash and its two tier hashes: the same for every trader of an epoch."""

    snapshot_hash: int
    maintenance_tiers: int
    initial_tiers: int

    def tiers(self, kind: int) -> int:
        """Return the tier hash ``H_kind``."""
        return self.initial_tiers if kind == REQUIREMENT_INITIAL else self.maintenance_tiers


def snapshot_hashes(snapshot: MarketSnapshot) -> SnapshotHashes:
    """Return ``snapshot_hash(snapshot)`` and both tier hashes, each sponge computed once."""
    maintenance = tier_hash(snapshot, REQUIREMENT_MAINTENANCE)
    initial = tier_hash(snapshot, REQUIREMENT_INITIAL)
    encoding = snapshot_encoding_with(snapshot, maintenance, initial)
    digest = poseidon_sponge(encoding, snapshot_domain(snapshot))
    return SnapshotHashes(digest, maintenance, initial)


@lru_cache(maxsize=8)
def _cached_hashes(snapshot_json: str) -> SnapshotHashes:
    return snapshot_hashes(MarketSnapshot.model_validate_json(snapshot_json))


def cached_snapshot_hashes(snapshot: MarketSnapshot) -> SnapshotHashes:
    """Return ``snapshot_hashes(snapshot)``, memoised on the snapshot's JSON (it costs ~0.5 s)."""
    return _cached_hashes(snapshot.model_dump_json())


def cached_snapshot_hash(snapshot: MarketSnapshot) -> int:
    """Return ``snapshot_hash(snapshot)``, memoised on the snapshot's JSON."""
    return cached_snapshot_hashes(snapshot).snapshot_hash


def public_inputs(
    opening: Opening,
    snapshot: MarketSnapshot,
    kind: int,
    buffer_ppm: int,
    hashes: SnapshotHashes | None = None,
) -> MarginPublicInputs:
    """Return the public statement ``[C, snapshot_hash, kind, buffer_ppm]``."""
    digest = (hashes or cached_snapshot_hashes(snapshot)).snapshot_hash
    return MarginPublicInputs(opening.commitment, digest, kind, buffer_ppm)


def build_assignment(
    opening: Opening,
    snapshot: MarketSnapshot,
    kind: int,
    buffer_ppm: int,
    hashes: SnapshotHashes | None = None,
) -> Assignment:
    """Return the ``MarginCircuit`` assignment proving ``opening`` meets ``kind`` at ``buffer_ppm``.

    ``hashes`` are the snapshot's hashes if the caller has them (e.g. from a cache);
    wrong ones only yield an assignment the circuit refuses.

    Raises:
        MarginInputError: bad kind or buffer, or slot counts that differ from the snapshot's.
        NotCompliantError: the reference engine says the account is not compliant.
    """
    check_statement(kind, buffer_ppm)
    check_state_matches(opening.state, snapshot)
    if not is_compliant(margin_report(opening.state, snapshot), kind, buffer_ppm):
        raise NotCompliantError(
            f"the account does not meet the {kind_name(kind)} requirement with buffer"
            f" {buffer_ppm / 1_000_000:g}: no proof exists"
        )
    return raw_assignment(opening, snapshot, kind, buffer_ppm, hashes)


def raw_assignment(
    opening: Opening,
    snapshot: MarketSnapshot,
    kind: int,
    buffer_ppm: int,
    hashes: SnapshotHashes | None = None,
) -> Assignment:
    """Return the assignment without the compliance pre-check: for a non-compliant account
    the solver (and the R1CS) then refuse it. Soundness tests use this."""
    state = opening.state
    hashes = hashes or cached_snapshot_hashes(snapshot)
    statement = public_inputs(opening, snapshot, kind, buffer_ppm, hashes)
    other = REQUIREMENT_MAINTENANCE if kind == REQUIREMENT_INITIAL else REQUIREMENT_INITIAL
    return {
        "commitment": statement.commitment,
        "snapshot_hash": statement.snapshot_hash,
        "requirement_kind": kind,
        "buffer_ppm": buffer_ppm,
        "salt": opening.salt,
        "sizes": _field([p.size for p in state.positions]),
        "cost_basis": _field([p.cost_basis for p in state.positions]),
        "funding_entry": _field([p.funding_entry for p in state.positions]),
        "balances": _field(list(state.balances)),
        **snapshot_assignment(snapshot, kind),
        **feature_assignment(snapshot, kind),
        "other_tier_hash": hashes.tiers(other),
    }


def snapshot_assignment(snapshot: MarketSnapshot, kind: int) -> Assignment:
    """Return the snapshot part of the assignment (the requested kind's tier schedules)."""
    t, h = snapshot.tier_slots, snapshot.haircut_tier_slots
    rates: list[int] = []
    deductions: list[int] = []
    for inst in snapshot.instruments:
        schedule = inst.initial_tiers if kind == REQUIREMENT_INITIAL else inst.maintenance_tiers
        tiers = list(schedule) + [schedule[-1]] * (t - len(schedule))
        rates += [tier.rate_ppm for tier in tiers]
        deductions += [tier.deduction for tier in tiers[1:]]
    weights: list[int] = []
    additions: list[int] = []
    for coll in snapshot.collateral:
        haircuts = list(coll.haircut_tiers)
        haircuts += [haircuts[-1]] * (h - len(haircuts))
        weights += [tier.weight_ppm for tier in haircuts]
        additions += [tier.addition for tier in haircuts[1:]]
    instruments = snapshot.instruments
    return {
        "epoch": snapshot.epoch,
        "timestamp": snapshot.timestamp,
        "quote_decimals": snapshot.quote_decimals,
        "size_scale": [inst.size_scale for inst in instruments],
        "mark_price": [inst.mark_price for inst in instruments],
        "funding_index": _field([inst.funding_index for inst in instruments]),
        "short_option_minimum": [inst.short_option_minimum for inst in instruments],
        "risk": _field([loss for inst in instruments for loss in inst.risk_array]),
        "tier_rates": rates,
        "tier_deductions": deductions,
        "collateral_scale": [coll.scale for coll in snapshot.collateral],
        "collateral_price": [coll.price for coll in snapshot.collateral],
        "liability_weight": [coll.liability_weight_ppm for coll in snapshot.collateral],
        "haircut_weights": weights,
        "haircut_additions": additions,
    }


def feature_assignment(snapshot: MarketSnapshot, kind: int) -> Assignment:
    """Return the version-2 features' snapshot inputs (empty arrays for unused features)."""
    mask = feature_mask(snapshot)
    return {
        **size_feature_assignment(snapshot),
        **option_charges.assignment(snapshot, kind, mask),
        **rounding.assignment(snapshot, mask),
    }


def _field(values: list[int]) -> list[int]:
    return [v % SCALAR_FIELD_R for v in values]
