"""Per-epoch tallies for the audit report: validity, requirement kinds and buffer distribution.

Margin proofs carry public inputs ``[C, snapshot_hash, requirement_kind, buffer_ppm]``
(kind 0 = maintenance, 1 = initial; ``buffer_ppm`` ≥ 10⁶ means equity ≥ buffer × requirement).
Proofs group by their epoch when the source names it, else (margin keys) by snapshot hash,
since each epoch has one snapshot. Only valid proofs count towards the kind and buffer
figures: an invalid proof shows nothing about its account.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from verifier.audit.items import AuditItem

MARGIN_N_PUBLIC = 4
PPM = 1_000_000
BUFFER_EDGES = (1_000_000, 1_100_000, 1_250_000, 1_500_000, 2_000_000, 3_000_000)
"""Lower edges (ppm) of the buffer bins; a last bin is open-ended, a first one catches < 1.00×."""


def buffer_bin_labels() -> list[str]:
    """Return the labels of the buffer bins, e.g. ``1.10–1.25×``."""
    labels = [f"< {BUFFER_EDGES[0] / PPM:.2f}×"]
    for low, high in itertools.pairwise(BUFFER_EDGES):
        labels.append(f"{low / PPM:.2f}–{high / PPM:.2f}×")
    labels.append(f"≥ {BUFFER_EDGES[-1] / PPM:.2f}×")
    return labels


def buffer_bin(buffer_ppm: int) -> int:
    """Return the index of the bin holding ``buffer_ppm``."""
    index = 0
    for edge in BUFFER_EDGES:
        if buffer_ppm < edge:
            return index
        index += 1
    return index


@dataclass
class EpochStats:
    """What the audit found in one epoch (or snapshot group)."""

    label: str
    epoch: int | None
    valid: int = 0
    invalid: int = 0
    maintenance: int = 0
    initial: int = 0
    buffers: list[int] = field(default_factory=lambda: [0] * (len(BUFFER_EDGES) + 1))

    def add(self, item: AuditItem, ok: bool, margin: bool) -> None:
        """Count ``item`` with verdict ``ok``."""
        if not ok:
            self.invalid += 1
            return
        self.valid += 1
        if not margin or item.public is None or len(item.public) != MARGIN_N_PUBLIC:
            return
        kind, buffer_ppm = item.public[2], item.public[3]
        if kind == 0:
            self.maintenance += 1
        elif kind == 1:
            self.initial += 1
        self.buffers[buffer_bin(buffer_ppm)] += 1

    def to_json(self, margin: bool) -> dict[str, Any]:
        """Return the JSON form (kind and buffer figures only for margin keys)."""
        out: dict[str, Any] = {
            "label": self.label,
            "epoch": self.epoch,
            "valid": self.valid,
            "invalid": self.invalid,
        }
        if margin:
            out["requirement_kinds"] = {"maintenance": self.maintenance, "initial": self.initial}
            out["buffer_bins"] = dict(zip(buffer_bin_labels(), self.buffers, strict=True))
        return out


@dataclass
class Tally:
    """Per-epoch statistics over every audited item."""

    margin: bool
    groups: dict[str, EpochStats] = field(default_factory=dict)

    def add(self, item: AuditItem, ok: bool) -> None:
        """Count ``item`` in its epoch's group."""
        label, epoch = self._group_of(item)
        stats = self.groups.get(label)
        if stats is None:
            stats = self.groups[label] = EpochStats(label, epoch)
        stats.add(item, ok, self.margin)

    def _group_of(self, item: AuditItem) -> tuple[str, int | None]:
        if item.epoch is not None:
            return f"epoch {item.epoch}", item.epoch
        if item.public is None:
            return "unattributed", None
        if self.margin and len(item.public) == MARGIN_N_PUBLIC:
            return f"snapshot {item.public[1]:064x}"[:21] + "…", None
        return "all proofs", None

    def ordered(self) -> list[EpochStats]:
        """Return the groups: epochs in numeric order, then the others by label."""
        return sorted(
            self.groups.values(),
            key=lambda s: (s.epoch is None, s.epoch if s.epoch is not None else 0, s.label),
        )
