"""Typed path and query parameters shared by the routes (validated before any handler runs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from api.auth import ACCOUNT_PATTERN
from api.schemas import MAX_EPOCH

AccountPath = Annotated[str, Path(pattern=ACCOUNT_PATTERN, description="Account id.")]
CircuitPath = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="Circuit id.")
]
EpochPath = Annotated[int, Path(ge=0, le=MAX_EPOCH, description="Epoch number.")]
EpochQuery = Annotated[int, Query(ge=0, le=MAX_EPOCH, description="Epoch number.")]
