"""Margin-specific code on the prover and verifier: workflow, artefacts, attestation."""
