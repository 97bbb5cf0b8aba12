"""Who is asking: the ``current_principal`` dependency (session cookie or bearer token),
``require_roles``, scope checks, the CSRF token of a session and the audit log.

Rules (design.md §8, issue 6): every page and API route takes ``current_principal``. A browser
without a valid session is sent to ``/login?next=<where it was going>`` (303; an htmx request
gets 401 with ``HX-Redirect``); an API call or a client asking for JSON gets 401 with
``WWW-Authenticate: Bearer``. A bearer token that is unknown, revoked or belongs to a disabled
account gets 401 whatever the route. A role or scope that does not allow the route gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from caseloads.domain.access import ROLES, Principal, may_see_workers
from caseloads.services import users
from caseloads.web.security.middleware import (
    SESSION_CSRF,
    SecurityState,
    current_request,
    new_csrf_token,
    wants_json,
)
from caseloads.web.security.principals import PrincipalCache, session_key, token_key

SESSION_USER = "u"
SESSION_GENERATION = "g"
SESSION_STARTED = "iat"

_installed: list[SecurityState] = []


def state_of(request: Request | None = None) -> SecurityState:
    """The security state of the app serving ``request`` (or of the request being served)."""
    if request is not None:
        state = getattr(request.app.state, "security", None)
        if isinstance(state, SecurityState):
            return state
    context = current_request.get()
    if context is not None:
        return context.state
    if _installed:
        return _installed[-1]
    raise RuntimeError("caseloads.web.security.install(app, settings) was not called")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(ord(ch) < 32 for ch in target)
    ):
        return "/"
    return target


def login_url(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(safe_next(path), safe="/")


def _not_signed_in(request: Request) -> HTTPException:
    if wants_json(request.scope):
        return HTTPException(
            status_code=401,
            detail="sign in, or send an API token as 'Authorization: Bearer <token>' "
            "(`caseloads users token NAME` makes one)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if request.headers.get("hx-request"):
        return HTTPException(
            status_code=401, detail="not signed in", headers={"HX-Redirect": login_url(request)}
        )
    return HTTPException(
        status_code=303, detail="sign in first", headers={"Location": login_url(request)}
    )


async def current_principal(request: Request) -> Principal:
    """The signed-in principal: from ``Authorization: Bearer <token>`` when sent, else from the
    session cookie. Rules: module docstring; principals found are kept for a couple of seconds
    (:mod:`caseloads.web.security.principals`). Asynchronous, so that a principal found in the
    cache costs no trip through the thread pool; the database is read in the pool."""
    state = state_of(request)
    cache = state.principals
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        principal = (
            await _lookup(
                cache, token_key(token), partial(users.principal_for_token, state.db, token)
            )
            if scheme.lower() == "bearer"
            else None
        )
        if principal is None:
            raise HTTPException(
                status_code=401,
                detail="the API token is not valid (unknown, revoked, or its user is disabled)",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return principal
    session: dict[str, Any] = request.scope.get("session", {})
    username, generation = session.get(SESSION_USER), session.get(SESSION_GENERATION)
    if isinstance(username, str) and isinstance(generation, int):
        principal = await _lookup(
            cache,
            session_key(username, generation),
            partial(users.principal_for_session, state.db, username, generation),
        )
        if principal is not None:
            return principal
        for key in (SESSION_USER, SESSION_GENERATION, SESSION_STARTED):
            session.pop(key, None)  # ended (signed out elsewhere, password changed, disabled)
    raise _not_signed_in(request)


async def _lookup(
    cache: PrincipalCache, key: Hashable, load: Callable[[], Principal | None]
) -> Principal | None:
    """``cache.lookup`` with the database read (``load``) run in the thread pool."""
    found = cache.get(key)
    if found is None:
        found = await run_in_threadpool(load)
        if found is not None:
            cache.put(key, found)
    return found


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str) -> Callable[[Principal], Principal]:
    """A dependency giving the principal when their role is one of ``roles``, else 403."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise ValueError(f"roles must be among {', '.join(ROLES)}; got {roles!r}")

    def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise HTTPException(status_code=403, detail="this is not open to your role")
        return principal

    return dependency


def require_workers(principal: Principal, la_code: str, team_id: str | None) -> None:
    """403 unless the principal may see worker-level rows of ``team_id`` of ``la_code``
    (:func:`caseloads.domain.access.may_see_workers`: a manager only their own teams, a viewer
    never)."""
    if not may_see_workers(principal, la_code, team_id):
        what = "that team's workers" if team_id else "worker-level data of this authority"
        raise HTTPException(status_code=403, detail=f"you may not see {what}")


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for a form's hidden ``csrf_token`` field or htmx's
    ``X-CSRF-Token`` header (``hx-headers``); opens an anonymous session when there is none."""
    session: dict[str, Any] = request.scope.setdefault("session", {})
    token = session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = new_csrf_token()
        session[SESSION_CSRF] = token
    return token


def audit(
    principal: Principal | Any | None,
    action: str,
    detail: Mapping[str, Any] | str | None = None,
    *,
    client: str | None = None,
) -> None:
    """Write one entry to the audit log: who (``None`` for nobody signed in), what
    (``sign_in``, ``export``, ``view_workers`` ...), a JSON detail, and the client address of the
    request being served."""
    context = current_request.get()
    state = context.state if context is not None else state_of()
    username = getattr(principal, "username", None) if principal is not None else None
    users.record_audit(
        state.db,
        username,
        action,
        detail,
        client if client is not None else (context.client if context else None),
    )
