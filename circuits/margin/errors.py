"""Errors of the margin package: bad snapshots, states and openings (all ``ZkError`` subclasses)."""

from algebra.errors import MalformedInputError


class MarginInputError(MalformedInputError):
    """A snapshot, account state, opening or statement is malformed or inconsistent.

    The message is one readable line naming the offending field, e.g.
    ``snapshot: instruments[2].mark_price: must be below 2^64``.
    """
