"""BN254 field and curve kernels behind one backend protocol.

`algebra` is the bottom layer of zkmargin: constants, canonical encodings, typed
errors and the two interchangeable backends (``native``: our Rust crate on
arkworks; ``reference``: py_ecc and plain integers).
"""

from algebra.constants import FIELD_MODULUS_Q, SCALAR_FIELD_R
from algebra.errors import BackendUnavailableError, MalformedInputError, ZkError

__all__ = [
    "FIELD_MODULUS_Q",
    "SCALAR_FIELD_R",
    "BackendUnavailableError",
    "MalformedInputError",
    "ZkError",
]
