"""Margin-specific code built on the generic verifier and prover (on-chain attestation)."""
