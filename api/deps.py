"""Typed dependencies: the shared state, a session per request, and the authenticated caller.

Route signatures read as their contract: ``principal: AuditorKey`` admits auditors only.
The state, principal and role dependencies are ``async`` because they do not block (a key
seen before is checked in memory; an unknown key id is looked up on a worker thread): FastAPI
runs every sync dependency on a worker thread of its own, a round trip that would otherwise
cost more CPU per request than the checks themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth import Principal, Role
from api.state import ServiceState

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer zkm_…`")


async def get_state(request: Request) -> ServiceState:
    """Return the app's :class:`ServiceState`."""
    state: ServiceState = request.app.state.zkm
    return state


StateDep = Annotated[ServiceState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """Yield a session for the request; it is closed (and rolled back if open) afterwards."""
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _authenticate_stored(state: ServiceState, key: str) -> Principal | None:
    with state.sessions() as session:
        return state.keys.authenticate(session, key)


async def get_principal(request: Request, state: StateDep, credentials: Credentials) -> Principal:
    """Return the caller behind the bearer key: 401 without a valid key, 429 over its rate."""
    return await _principal_of(request, state, credentials)


async def _principal_of(
    request: Request, state: ServiceState, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    principal = None
    if credentials is not None:
        decided, principal = state.keys.cached(credentials.credentials)
        if not decided:
            principal = await run_in_threadpool(
                _authenticate_stored, state, credentials.credentials
            )
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing or invalid API key (send `Authorization: Bearer <key>`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.key_id = principal.key_id
    wait = state.limiter.acquire(principal.key_id)
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="rate limit exceeded for this API key",
            headers={"Retry-After": str(max(1, round(wait + 0.5)))},
        )
    return principal


CurrentKey = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Return a dependency admitting only callers whose role is in ``roles`` (else 403)."""
    names = ", ".join(role.value for role in roles)

    # Authenticates itself rather than depending on ``CurrentKey``: each level of FastAPI's
    # dependency tree costs CPU on every request, and this one guards every route.
    async def check(request: Request, state: StateDep, credentials: Credentials) -> Principal:
        principal = await _principal_of(request, state, credentials)
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {principal.role.value} may not do this (needs: {names})",
            )
        return principal

    return check


def require_account(principal: Principal, account_id: str) -> None:
    """Refuse (403) a trader acting for an account outside the key's scope.

    The answer does not repeat the account id: no error text names an account the caller
    may not see.
    """
    if not principal.may_act_for(account_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="this key may not act for this account"
        )


AdminKey = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
OracleKey = Annotated[Principal, Depends(require_roles(Role.ORACLE))]
VenueKey = Annotated[Principal, Depends(require_roles(Role.VENUE))]
TraderKey = Annotated[Principal, Depends(require_roles(Role.TRADER))]
AuditorKey = Annotated[Principal, Depends(require_roles(Role.AUDITOR))]
ClearingOrAuditorKey = Annotated[Principal, Depends(require_roles(Role.CLEARING, Role.AUDITOR))]
CommitmentReaderKey = Annotated[
    Principal, Depends(require_roles(Role.VENUE, Role.TRADER, Role.CLEARING, Role.AUDITOR))
]
VenueOrAdminKey = Annotated[Principal, Depends(require_roles(Role.VENUE, Role.ADMIN))]
OracleOrAdminKey = Annotated[Principal, Depends(require_roles(Role.ORACLE, Role.ADMIN))]
ProofReaderKey = Annotated[
    Principal, Depends(require_roles(Role.TRADER, Role.CLEARING, Role.AUDITOR))
]
