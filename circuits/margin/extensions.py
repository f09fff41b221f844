"""Snapshot format version 2: optional features hashed in one extension section.

A version-1 snapshot hashes exactly as before (:mod:`circuits.margin.commitment`), so keys,
hashes and attestations made for version 1 stay valid. A version-2 snapshot uses one or more
**features** (size-dependent rates, rounding profiles, per-kind option charges, …). Each
feature has a fixed bit in a mask; the snapshot sponge's domain tag says version 2 (the
64-bit tag has no room left for the mask beside the shape) and the main encoding gains one
last element, the extension hash, which binds the mask first::

    H_ext = PoseidonSponge_{domain 4}( mask, then for each feature bit b set, in increasing b:
                                       b, feature_b.encoding(snapshot)… )

A feature's encoding has a length fixed by the snapshot's shape (padded slots included), so
a circuit compiled for a shape and a feature mask absorbs a fixed number of elements; the
leading ``b`` separates the sections. A circuit compiled with mask 0 is the version-1
circuit, unchanged.

Feature bits are allotted by topic, so features built separately never collide:

* 0–7: size-dependent rates and liability weights (affine-in-size fractions, square-root
  premiums, borrow weights) and open-interest scaling (bits 0–2,
  :mod:`circuits.margin.size_rates`);
* 8–15: rounding profiles (venue nested rounding);
* 16–23: option charges (per-kind scenario sets and minimums, option margin formulas);
* 24–31: reserved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from algebra.constants import SCALAR_FIELD_R
from circuits.margin.errors import MarginInputError
from circuits.std.poseidon_reference import poseidon_sponge

if TYPE_CHECKING:
    from circuits.margin.model import MarketSnapshot

DOMAIN_EXTENSIONS: Final = 4
EXTENDED_VERSION: Final = 2
"""The snapshot format version that carries an extension section."""
MAX_FEATURE_BIT: Final = 31


@dataclass(frozen=True)
class SnapshotFeature:
    """One optional snapshot feature: whether a snapshot uses it and its hashed elements.

    Attributes:
        bit: The feature's bit in the mask (its section tag in ``H_ext``).
        name: A short name for errors and docs.
        used_by: Whether a snapshot uses the feature (any of its fields set).
        encoding: The feature's elements of ``H_ext`` (canonical field elements, a length
            fixed by the snapshot's shape).
    """

    bit: int
    name: str
    used_by: Callable[[MarketSnapshot], bool]
    encoding: Callable[[MarketSnapshot], list[int]]


_FEATURES: dict[int, SnapshotFeature] = {}


def register_feature(feature: SnapshotFeature) -> SnapshotFeature:
    """Add ``feature`` to the registry (ValueError if its bit is taken or out of range)."""
    if not 0 <= feature.bit <= MAX_FEATURE_BIT:
        raise ValueError(f"feature bit {feature.bit} is outside 0..{MAX_FEATURE_BIT}")
    if feature.bit in _FEATURES:
        raise ValueError(f"feature bit {feature.bit} is taken by {_FEATURES[feature.bit].name}")
    _FEATURES[feature.bit] = feature
    return feature


def registered_features() -> list[SnapshotFeature]:
    """Return the registered features in increasing bit order."""
    return [_FEATURES[bit] for bit in sorted(_FEATURES)]


def feature_mask(snapshot: MarketSnapshot) -> int:
    """Return the mask of the features ``snapshot`` uses (0 for a version-1 snapshot).

    Raises:
        MarginInputError: a version-1 snapshot uses a feature, or a version-2 snapshot uses
            none (it would hash differently from the same data as version 1 for nothing).
    """
    mask = 0
    for feature in registered_features():
        if feature.used_by(snapshot):
            mask |= 1 << feature.bit
    if snapshot.version < EXTENDED_VERSION and mask:
        names = ", ".join(f.name for f in registered_features() if mask >> f.bit & 1)
        raise MarginInputError(f"snapshot version 1 cannot use {names}; set version 2")
    if snapshot.version >= EXTENDED_VERSION and not mask:
        raise MarginInputError("snapshot version 2 uses no version-2 feature; set version 1")
    return mask


def extension_elements(snapshot: MarketSnapshot, mask: int) -> list[int]:
    """Return the elements ``H_ext`` absorbs for the features in ``mask`` (module docstring)."""
    out: list[int] = [mask]
    for feature in registered_features():
        if mask >> feature.bit & 1:
            out.append(feature.bit)
            out += [v % SCALAR_FIELD_R for v in feature.encoding(snapshot)]
    return out


def extension_hash_of(elements: Sequence[int]) -> int:
    """Return ``PoseidonSponge_{domain 4}(elements)``."""
    return poseidon_sponge(list(elements), DOMAIN_EXTENSIONS)


def extension_hash(snapshot: MarketSnapshot) -> int:
    """Return ``H_ext`` of a version-2 snapshot."""
    return extension_hash_of(extension_elements(snapshot, feature_mask(snapshot)))


def parse_feature_mask(text: str) -> int:
    """Return the mask named by ``text``: comma-separated feature names or one integer
    (decimal or 0x…); empty is 0.

    Raises:
        MarginInputError: an unknown name, or a bit no registered feature has.
    """
    text = text.strip()
    if not text:
        return 0
    by_name = {f.name: f.bit for f in registered_features()}
    try:
        mask = int(text, 0)
    except ValueError:
        mask = 0
        for name in (part.strip() for part in text.split(",")):
            if name not in by_name:
                raise MarginInputError(
                    f"unknown snapshot feature {name!r}; known: {', '.join(by_name)}"
                ) from None
            mask |= 1 << by_name[name]
    unknown = mask & ~sum(1 << bit for bit in by_name.values())
    if mask < 0 or unknown:
        raise MarginInputError(f"feature mask {text!r} names no registered feature {unknown:#x}")
    return mask


def feature_names(mask: int) -> str:
    """Return the comma-separated names of the registered features in ``mask`` (or ``none``)."""
    names = [f.name for f in registered_features() if mask >> f.bit & 1]
    return ",".join(names) or "none"
