"""Trusted-setup ceremonies in snarkjs's formats: powers of tau (phase 1) and BGM17 phase 2.

Phase 1 (Bowe–Gabizon–Miers, eprint 2017/1050 §3) accumulates τ, α, β over contributions
whose proofs of knowledge and Blake2b transcript any verifier can recheck; phase 2 updates
the circuit-specific δ of a Groth16 key the same way. Files are byte-compatible with
snarkjs's ``.ptau`` and ``.zkey``, so either tool verifies the other's transcript.
"""
