"""Offline audit of many Groth16 proofs: proof sources, chunked batch verification, runners.

Pure verification machinery (no service, no CLI): :mod:`.items` parses one entry,
:mod:`.sources` reads JSON-lines files and proof directories, :mod:`.chunks` verifies one
chunk on a worker with :func:`verifier.batch.batch_verify` (or, for the reference backend,
one independent :func:`verifier.verify.verify` per proof), and :mod:`.runners` runs chunks
in this process or on a Dask cluster. The ``zkm audit`` orchestration lives in
:mod:`zkmargin.audit`.
"""
