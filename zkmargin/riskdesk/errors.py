"""Errors of the risk desk: every refusal is one readable line (``ZkError`` subclasses)."""

from algebra.errors import FormatError, ZkError


class RiskInputError(FormatError):
    """Market inputs, a policy or a history file are malformed, or do not fit each other."""


class SignatureError(ZkError):
    """A signed snapshot's signature, key or bound hashes do not check out."""


class StaleInputError(ZkError):
    """A snapshot's market inputs are older than the allowed maximum age (or from the future)."""


class NotReproducibleError(ZkError):
    """A published snapshot differs from the one its inputs and policy produce."""
