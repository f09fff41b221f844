"""The ``zkm`` command line: snarkjs-compatible Groth16 verbs, margin, service, audit and demo."""
