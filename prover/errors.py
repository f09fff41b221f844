"""Errors specific to proving."""

from algebra.errors import ZkError


class ProofSelfCheckError(ZkError):
    """A freshly made proof does not verify: the witness does not satisfy the key's circuit."""
