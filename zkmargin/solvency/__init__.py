"""Venue-level solvency above the prover: keys, the epoch bundle, proving (local or Dask),
verification and reports. The circuit and the epoch list live in :mod:`circuits.solvency`."""
