"""State commitments and snapshot hashes: the canonical encodings the circuit recomputes.

**State commitment** ``C = Poseidon(salt, PoseidonSponge(state encoding))`` with a 248-bit
salt from the OS CSPRNG (:mod:`secrets`); the sponge's domain tag is
``1 + 2^8·n_instruments + 2^32·n_collateral``. Signed 64-bit values are offset by 2^63 into
``[0, 2^64)`` and packed (the circuit range-checks them anyway, so packing is free there).
Each balance ``b_j + 2^63`` is split into two 32-bit chunks, low then high, giving the chunk
list ``c_0 … c_{2m−1}``. The encoding is, for every position ``i``,
``(q_i + 2^63) + 2^64·(B_i + 2^63) + 2^128·(f_i + 2^63) + 2^192·c_i`` (``c_i = 0`` past the
chunk list), followed, if ``2m > n``, by the leftover chunks packed seven per element
(``Σ_k 2^(32k)·c_{n+7g+k}``).

**Snapshot hash** ``PoseidonSponge(main encoding)`` with domain tag
``2 + 2^8·version + 2^12·n_i + 2^24·n_c + 2^36·n_s + 2^48·tier_slots + 2^52·haircut_tier_slots``
(version 1), so the shape is bound without spending a sponge lane. A version-2 snapshot
has version 2 in the tag and one last element, the extension hash ``H_ext``
(:mod:`circuits.margin.extensions`); version 1 hashes exactly as it always did. Signed
values are field elements (−k as r − k). Every schedule is padded to the snapshot's tier
slots by repeating its last piece; first-piece deductions/additions are 0 by validation and
left out:

1. ``epoch, timestamp, quote_decimals``;
2. per instrument: ``size_scale, mark_price, funding_index, short_option_minimum,
   risk_array[0 … n_s − 1]``;
3. per collateral asset: ``scale, price, liability_weight_ppm, weight_0``, then
   ``weight_k, addition_k`` for k = 1 … haircut_tier_slots − 1;
4. ``H_maintenance, H_initial`` where ``H_kind = PoseidonSponge_{domain 3}`` of, per
   instrument, ``rate_0`` then ``rate_k, deduction_k`` for k = 1 … tier_slots − 1.

The two-level tier hash lets the circuit hash only the requested kind's schedules and
take the other kind's ``H`` as a private input. Symbols, kinds and scenario descriptions
are descriptive metadata: they are not used by the statement and not hashed.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Final, TypeVar

from algebra.constants import SCALAR_FIELD_R
from circuits.margin.extensions import (
    EXTENDED_VERSION,
    extension_hash,
    feature_mask,
)
from circuits.margin.model import (
    AccountState,
    CollateralSpec,
    HaircutTier,
    InstrumentSpec,
    MarginTier,
    MarketSnapshot,
    Opening,
)
from circuits.margin.statement import REQUIREMENT_INITIAL, REQUIREMENT_MAINTENANCE
from circuits.margin.units import SALT_BITS
from circuits.std.poseidon_reference import poseidon, poseidon_sponge

T = TypeVar("T", MarginTier, HaircutTier)

DOMAIN_STATE: Final = 1
DOMAIN_SNAPSHOT: Final = 2
DOMAIN_TIERS: Final = 3
SNAPSHOT_VERSION: Final = 1
OFFSET_64: Final = 1 << 63
"""Signed 64-bit values are packed as ``v + 2^63 ∈ [0, 2^64)``."""
CHUNK_MASK: Final = (1 << 32) - 1
CHUNKS_PER_ELEMENT: Final = 7


def offset64(value: int) -> int:
    """Return ``value + 2^63``: a signed 64-bit value mapped into ``[0, 2^64)``."""
    return value + OFFSET_64


def balance_chunks(balances: Sequence[int]) -> list[int]:
    """Return the 32-bit chunks (low, high) of every ``b_j + 2^63``."""
    return [part for b in balances for part in (offset64(b) & CHUNK_MASK, offset64(b) >> 32)]


def state_domain(n_instruments: int, n_collateral: int) -> int:
    """Return the state sponge's domain tag, which binds the slot counts."""
    return DOMAIN_STATE + (n_instruments << 8) + (n_collateral << 32)


def state_encoding(state: AccountState) -> list[int]:
    """Return the field elements the state commitment absorbs (module docstring)."""
    chunks = balance_chunks(state.balances)
    n = len(state.positions)
    out = []
    for i, p in enumerate(state.positions):
        packed = offset64(p.size) + (offset64(p.cost_basis) << 64)
        packed += offset64(p.funding_entry) << 128
        out.append(packed + ((chunks[i] if i < len(chunks) else 0) << 192))
    leftover = chunks[n:]
    for g in range(0, len(leftover), CHUNKS_PER_ELEMENT):
        group = leftover[g : g + CHUNKS_PER_ELEMENT]
        out.append(sum(c << (32 * k) for k, c in enumerate(group)))
    return out


def state_commitment(state: AccountState, salt: int) -> int:
    """Return ``C = Poseidon(salt, PoseidonSponge(state encoding))``."""
    domain = state_domain(len(state.positions), len(state.balances))
    return poseidon([salt % SCALAR_FIELD_R, poseidon_sponge(state_encoding(state), domain)])


def commit(state: AccountState) -> Opening:
    """Return an opening of ``state`` under a fresh 248-bit salt from the OS CSPRNG."""
    salt = secrets.randbits(SALT_BITS)
    return Opening(state=state, salt=salt, commitment=state_commitment(state, salt))


def snapshot_domain(snapshot: MarketSnapshot) -> int:
    """Return the snapshot sponge's domain tag, which binds the version, shape and features."""
    return snapshot_domain_for(
        snapshot.n_instruments,
        snapshot.n_collateral,
        snapshot.n_scenarios,
        snapshot.tier_slots,
        snapshot.haircut_tier_slots,
        features=feature_mask(snapshot),
    )


def snapshot_domain_for(
    n_i: int, n_c: int, n_s: int, tiers: int, haircut_tiers: int, *, features: int = 0
) -> int:
    """Return ``2 + 2^8·version + 2^12·n_i + 2^24·n_c + 2^36·n_s + 2^48·T + 2^52·H``.

    The version is 1 when the feature mask ``features`` is 0 (the version-1 tag, unchanged)
    and 2 otherwise; the mask itself is bound by the extension hash
    (:mod:`circuits.margin.extensions`).
    """
    version = EXTENDED_VERSION if features else SNAPSHOT_VERSION
    return (
        DOMAIN_SNAPSHOT
        + (version << 8)
        + (n_i << 12)
        + (n_c << 24)
        + (n_s << 36)
        + (tiers << 48)
        + (haircut_tiers << 52)
    )


def padded(tiers: Sequence[T], slots: int) -> list[T]:
    """Return ``tiers`` padded to ``slots`` pieces by repeating the last piece."""
    return list(tiers) + [tiers[-1]] * (slots - len(tiers))


def instrument_encoding(inst: InstrumentSpec) -> list[int]:
    """Return the main-encoding elements of one instrument (signed values mod r)."""
    values = [inst.size_scale, inst.mark_price, inst.funding_index, inst.short_option_minimum]
    return [v % SCALAR_FIELD_R for v in (*values, *inst.risk_array)]


def collateral_encoding(coll: CollateralSpec, slots: int) -> list[int]:
    """Return the main-encoding elements of one collateral asset."""
    tiers = padded(coll.haircut_tiers, slots)
    out = [coll.scale, coll.price, coll.liability_weight_ppm, coll.haircut_tiers[0].weight_ppm]
    for tier in tiers[1:]:
        out += [tier.weight_ppm, tier.addition]
    return out


def tier_encoding(snapshot: MarketSnapshot, kind: int) -> list[int]:
    """Return the elements of ``H_kind``: per instrument ``rate_0, (rate_k, deduction_k)…``."""
    out: list[int] = []
    for inst in snapshot.instruments:
        schedule = inst.initial_tiers if kind == REQUIREMENT_INITIAL else inst.maintenance_tiers
        tiers = padded(schedule, snapshot.tier_slots)
        out.append(schedule[0].rate_ppm)
        for tier in tiers[1:]:
            out += [tier.rate_ppm, tier.deduction]
    return out


def tier_hash(snapshot: MarketSnapshot, kind: int) -> int:
    """Return ``H_kind = PoseidonSponge_{domain 3}(tier_encoding(snapshot, kind))``."""
    return poseidon_sponge(tier_encoding(snapshot, kind), DOMAIN_TIERS)


def snapshot_encoding(snapshot: MarketSnapshot) -> list[int]:
    """Return the main encoding the snapshot hash absorbs (module docstring)."""
    maintenance = tier_hash(snapshot, REQUIREMENT_MAINTENANCE)
    return snapshot_encoding_with(snapshot, maintenance, tier_hash(snapshot, REQUIREMENT_INITIAL))


def snapshot_encoding_with(snapshot: MarketSnapshot, maintenance: int, initial: int) -> list[int]:
    """Return ``snapshot_encoding(snapshot)`` given its two tier hashes ``H_MM``, ``H_IM``."""
    out = [snapshot.epoch, snapshot.timestamp, snapshot.quote_decimals]
    for inst in snapshot.instruments:
        out += instrument_encoding(inst)
    for coll in snapshot.collateral:
        out += collateral_encoding(coll, snapshot.haircut_tier_slots)
    out += [maintenance, initial]
    if feature_mask(snapshot):
        out.append(extension_hash(snapshot))
    return out


def snapshot_hash(snapshot: MarketSnapshot) -> int:
    """Return ``PoseidonSponge_{domain 2}(snapshot_encoding(snapshot))``."""
    return poseidon_sponge(snapshot_encoding(snapshot), snapshot_domain(snapshot))
