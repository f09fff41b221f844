"""Typed errors shared by every zkmargin package.

Every failure a user can cause is a ``ZkError`` subclass: the CLI turns it into
one readable line and exit code 2, the service into an HTTP 4xx with a JSON
body. A proof that simply does not verify is not an error: it is ``False``.
"""


class ZkError(Exception):
    """Base class: a failure caused by input, configuration or environment."""


class MalformedInputError(ZkError):
    """An input is not a canonical, well-formed object (field element ≥ modulus,
    point off the curve or outside the subgroup, wrong length, wrong count)."""


class FormatError(ZkError):
    """A file or JSON document does not follow the format it claims."""


class BackendUnavailableError(ZkError):
    """The requested algebra backend cannot be loaded (e.g. native not built)."""


class UnsatisfiedConstraintError(ZkError):
    """A witness does not satisfy a constraint system.

    Attributes:
        index: the index of the first failing constraint.
        label: the gadget path that produced it (e.g. ``margin/collateral[3]/range``).
    """

    def __init__(self, index: int, label: str, message: str | None = None) -> None:
        self.index = index
        self.label = label
        super().__init__(message or f"constraint {index} ({label}) is not satisfied")


class NotCompliantError(ZkError):
    """The account does not meet the requested margin requirement, so no proof exists."""
