"""Groth16 setup (dev and ceremony), witness, prove and snarkjs zkey I/O."""
