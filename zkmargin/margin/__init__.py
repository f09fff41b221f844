"""Margin-specific flows on top of the prover and verifier: setup, prove, verify, artefacts."""
