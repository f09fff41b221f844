"""HTTP routes, one module per resource; :data:`ROUTERS` lists them for ``create_app``."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    accounts,
    audit,
    batch,
    circuits,
    commitments,
    epochs,
    health,
    keys,
    oracle_keys,
    policy,
    proofs,
    snapshots,
    solvency,
    venues,
    verify,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    circuits.router,
    snapshots.router,
    oracle_keys.router,
    commitments.router,
    proofs.router,
    accounts.router,
    verify.router,
    batch.router,
    epochs.router,
    policy.router,
    venues.router,
    audit.router,
    keys.router,
    solvency.router,
)
