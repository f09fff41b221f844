"""The ``zkm`` command line: snarkjs-compatible Groth16 verbs plus margin, service, audit and demo."""
