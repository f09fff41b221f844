"""Groth16 verification: keys, proofs, verify, batch verify, snarkjs JSON and Solidity export.

Depends on :mod:`algebra` only.
"""
