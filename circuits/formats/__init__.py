"""iden3 binary formats: ``.r1cs`` (v1) and ``.wtns`` (v2), byte-compatible with circom/snarkjs."""

from circuits.formats.r1cs_file import R1csFile, parse_r1cs, r1cs_to_bytes, read_r1cs, write_r1cs
from circuits.formats.wtns_file import parse_wtns, read_wtns, write_wtns, wtns_to_bytes

__all__ = [
    "R1csFile",
    "parse_r1cs",
    "parse_wtns",
    "r1cs_to_bytes",
    "read_r1cs",
    "read_wtns",
    "write_r1cs",
    "write_wtns",
    "wtns_to_bytes",
]
